"""Turns pydantic validation errors into messages a user can act on: field, allowed range, got."""

from __future__ import annotations

from typing import Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError

from schedviz.protocol import LiveChange, RunConfig, SetMessage


def _bounds(*models: type[BaseModel]) -> dict[str, tuple[Any, Any]]:
    out: dict[str, tuple[Any, Any]] = {}
    for model in models:
        for name, info in model.model_fields.items():
            lo = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
            hi = next((m.le for m in info.metadata if isinstance(m, Le)), None)
            if lo is not None and hi is not None:
                out[name] = (lo, hi)
    return out


#: field name -> (lowest, highest) allowed; a field name means the same everywhere.
BOUNDS = _bounds(RunConfig, SetMessage, LiveChange)
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
        message = f"{field} must be between {lo} and {hi}; got {got!r}"
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
