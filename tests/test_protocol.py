"""The wire format: one source of truth, mirrored exactly by the browser's protocol.js."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from schedviz import protocol

PROTOCOL_JS = Path(__file__).resolve().parents[1] / "frontend" / "protocol.js"


def _js_block(name: str) -> str:
    text = PROTOCOL_JS.read_text()
    match = re.search(rf"// BEGIN {name}\n(.*?)// END {name}", text, re.S)
    assert match, f"protocol.js has no BEGIN/END {name} block"
    return match.group(1)


def test_protocol_js_mirrors_the_event_fields() -> None:
    block = _js_block("EVENT_FIELDS")
    literal = block[block.index("{") : block.rindex("}") + 1]
    assert json.loads(literal) == {k: list(v) for k, v in protocol.FIELDS.items()}


def test_protocol_js_has_the_same_schema_version() -> None:
    match = re.search(r"export const SCHEMA_VERSION = (\d+);", PROTOCOL_JS.read_text())
    assert match and int(match.group(1)) == protocol.SCHEMA_VERSION


def test_encode_puts_fields_in_declared_order_relative_to_t0() -> None:
    raw = ("task_finished", 1_500, 7, 2, True, "'ok'", None, [10, 20], 42_000)
    event = protocol.encode(raw, seq=3, t0=1_000)
    assert event == {"seq": 3, "t": 500, "kind": "task_finished", "task": 7, "worker": 2,
                     "ok": True, "result": "'ok'", "error": None, "item_ends": [10, 20],
                     "cpu_ns": 42_000}
    assert protocol.validate_event(event).kind == "task_finished"


def test_encode_refuses_a_tuple_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="task_started takes 2 fields"):
        protocol.encode(("task_started", 0, 1), seq=0, t0=0)


def test_validate_event_refuses_unknown_kind_and_missing_field() -> None:
    with pytest.raises(ValidationError):
        protocol.validate_event({"seq": 0, "t": 0, "kind": "teleported"})
    with pytest.raises(ValidationError):
        protocol.validate_event({"seq": 0, "t": 0, "kind": "task_started", "task": 1})


def test_every_field_says_since_which_version() -> None:
    for model in (*protocol.EVENT_MODELS, protocol.RunConfig, protocol.LiveChange):
        for name, info in model.model_fields.items():
            if name in ("kind", "type"):
                continue
            match = re.match(r"v(\d+):", info.description or "")
            assert match, f"{model.__name__}.{name} does not say since which version"
            assert 1 <= int(match.group(1)) <= protocol.SCHEMA_VERSION


def test_json_schema_covers_every_kind_and_the_control_messages() -> None:
    schema = protocol.json_schema()
    assert set(schema["event"]["discriminator"]["mapping"]) == set(protocol.FIELDS)
    assert set(schema["control_message"]["discriminator"]["mapping"]) == {"start", "stop", "set"}
    json.dumps(schema)  # serialisable as served


def test_compact_events_expand_to_the_same_objects() -> None:
    raw = ("task_moved", 2_000, 5, 0, 1)
    small = protocol.compact(raw, seq=9, t0=500)
    assert small == [9, 1_500, "task_moved", 5, 0, 1]
    assert protocol.expand(small) == protocol.encode(raw, seq=9, t0=500)
    assert json.loads(json.dumps(small)) == small  # what the lab sends is plain JSON


def test_deferred_repr_positions_name_the_repr_fields() -> None:
    from schedviz.lab.flusher import DEFERRING

    for kind, slots in DEFERRING.items():
        names = {protocol.FIELDS[kind][i - 2] for i in slots}
        assert names <= {"args", "result", "error"}, (kind, names)


def test_every_kind_and_server_message_says_since_which_version() -> None:
    models = (*protocol.EVENT_MODELS, *protocol.SERVER_MESSAGE_MODELS, protocol.RunStatus,
              protocol.ErrorDetail)
    for model in models:
        match = re.match(r"v(\d+):", model.__doc__ or "")
        assert match, f"{model.__name__}'s docstring does not say since which version"
        assert 1 <= int(match.group(1)) <= protocol.SCHEMA_VERSION
    for model in (*protocol.SERVER_MESSAGE_MODELS, protocol.RunStatus, protocol.ErrorDetail):
        for name, info in model.model_fields.items():
            if name == "type" and model in protocol.SERVER_MESSAGE_MODELS:
                continue  # the tag itself
            assert re.match(r"v\d+:", info.description or ""), f"{model.__name__}.{name}"


def test_json_schema_covers_every_server_message() -> None:
    schema = protocol.json_schema()
    assert set(schema["server_message"]["discriminator"]["mapping"]) == set(
        schema["server_message_types"]) == {"hello", "events", "dropped", "status", "error"}


def test_an_events_batch_is_its_model_as_sent() -> None:
    event = protocol.encode(("task_started", 10, 1, 0), seq=0, t0=0)
    batch = protocol.EventsMessage.batch("r1", [event])
    assert protocol.EventsMessage.model_validate(batch).wire() == batch


def test_every_error_message_carries_the_same_fields() -> None:
    bare = protocol.ErrorMessage(message="no run is going").wire()
    assert bare == {"type": "error", "message": "no run is going", "field": None, "errors": []}
    detail = {"field": "n_tasks", "message": "n_tasks is required", "loc": ["n_tasks"],
              "type": "missing"}
    full = protocol.ErrorMessage(message="m", field="n_tasks",
                                 errors=[protocol.ErrorDetail.model_validate(detail)]).wire()
    assert list(full) == list(bare) and full["errors"] == [detail]
