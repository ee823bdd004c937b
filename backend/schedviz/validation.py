"""Turns pydantic validation errors into messages a user can act on: field, allowed range, got.

The web process answers bad requests and control messages with these; the lab and the CLI use
them for values given in Python or in a file.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schedviz.protocol import LiveChange, RunConfig, SetMessage, field_bounds, plain_number

M = TypeVar("M", bound=BaseModel)

#: field name -> (lowest, highest) allowed; a field name means the same everywhere.
BOUNDS = field_bounds(RunConfig, SetMessage, LiveChange)
_RUN_CONFIG_FIELDS = tuple(RunConfig.model_fields)
_RANGE_ERRORS = {
    "greater_than_equal", "less_than_equal", "greater_than", "less_than",
    "int_parsing", "int_type", "float_parsing", "float_type", "int_from_float",
}


def describe_error(err: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as {field, message, loc, type}, saying what is allowed."""
    loc = [str(p) for p in err.get("loc", ())]
    # Drop wrappers that mean nothing to a user: "body", and union tags like "start"/"set".
    path = [p for p in loc if p not in ("body", "start", "stop", "set")]
    field = path[-1] if path else None
    kind = err.get("type", "")
    got = err.get("input")
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        field = "type"
        message = f"type must be one of 'start', 'stop', 'set'; got {got!r}" if kind.endswith(
            "invalid") else "a control message needs a type: 'start', 'stop' or 'set'"
        if isinstance(got, dict):
            message = message.replace(repr(got), repr(got.get("type")))
    elif kind == "extra_forbidden":
        allowed = ("type", "max_workers") if {"set", "stop"} & set(loc) else _RUN_CONFIG_FIELDS
        message = f"unknown field {field!r}; allowed fields are: {', '.join(allowed)}"
    elif field in BOUNDS and kind in _RANGE_ERRORS:
        lo, hi = BOUNDS[field]
        message = f"{field} must be between {plain_number(lo)} and {plain_number(hi)}; got {got!r}"
    elif kind == "value_error":  # a rule across fields, said in our own words
        message = str(err.get("msg", "")).removeprefix("Value error, ")
    elif kind == "missing":
        message = f"{field} is required"
    else:
        message = f"{field}: {err.get('msg', 'invalid value')}" if field else err.get("msg", "")
    return {"field": field, "message": message, "loc": loc, "type": kind}


def describe(exc: ValidationError) -> list[dict[str, Any]]:
    """All errors of a ValidationError, described."""
    return [describe_error(dict(e)) for e in exc.errors(include_url=False)]


def validated(model: type[M], data: Any) -> M:
    """`data` as a `model`, or a ValueError that says every problem as describe() does."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(e["message"] for e in describe(exc))) from None
