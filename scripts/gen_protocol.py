#!/usr/bin/env python3
"""Writes frontend/protocol.js from the wire format's JSON Schema (`protocol.json_schema()`).

    .venv/bin/python scripts/gen_protocol.py          # rewrite frontend/protocol.js (make protocol)
    .venv/bin/python scripts/gen_protocol.py --check  # exit 1 if it is not what this would write

Everything in protocol.js comes from the schema that /api/schema serves: event kinds and their
fields, the since-version comments (from the models' docstrings and field descriptions), the
server messages, RunConfig's bounds, steps, defaults and choices, and the live fields. So the
browser cannot drift from backend/schedviz/protocol.py; tests/test_generated_protocol.py fails
when the checked-in file is stale.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "frontend" / "protocol.js"
COMMAND = "make protocol"
SCRIPT_COMMAND = ".venv/bin/python scripts/gen_protocol.py"
WIDTH = 100


def current_schema() -> dict[str, Any]:
    """The schema of the checkout's own protocol.py (not of another installed schedviz)."""
    backend = str(ROOT / "backend")
    if backend not in sys.path:
        sys.path.insert(0, backend)
    protocol = importlib.import_module("schedviz.protocol")
    schema: dict[str, Any] = protocol.json_schema()
    return schema


# -- JSON Schema -> JavaScript -------------------------------------------------------------


def js_value(value: Any) -> str:
    """A JSON value as JavaScript source; a whole float as an integer (100.0 is 100 in JS)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def since(node: dict[str, Any], what: str) -> str:
    """The description of a model or field, which starts with the version it exists since."""
    # One line: a docstring may wrap, a comment in protocol.js may not.
    text = " ".join(str(node.get("description", "")).split()).removesuffix(".")
    if not re.match(r"v\d+:", text):
        raise SystemExit(f"{what} does not say since which version it exists (\"vN: ...\")")
    return text


def version(node: dict[str, Any], what: str) -> str:
    """Just the version a field exists since, as `vN`."""
    return since(node, what).split(":", 1)[0]


def js_type(node: dict[str, Any]) -> str:
    """A JSON Schema node as a TypeScript type for the JSDoc typedefs."""
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    if node.get("discriminator", {}).get("propertyName") == "kind":
        return "WireEvent"  # any one event: a flat object, see EVENT_FIELDS
    if "anyOf" in node or "oneOf" in node:
        return " | ".join(js_type(n) for n in node.get("anyOf", node.get("oneOf", [])))
    if "const" in node:
        return js_value(node["const"])
    if "enum" in node:
        return " | ".join(js_value(v) for v in node["enum"])
    kind = node.get("type")
    if kind in ("integer", "number"):
        return "number"
    if kind in ("string", "boolean", "null"):
        return str(kind)
    if kind == "array":
        item = js_type(node.get("items", {}))
        return f"({item})[]" if " " in item else f"{item}[]"
    if kind == "object":
        extra = node.get("additionalProperties")
        return f"Record<string, {js_type(extra) if isinstance(extra, dict) else 'any'}>"
    return "any"


def typedef(name: str, model: dict[str, Any], doc: str) -> list[str]:
    """A JSDoc typedef of an object model, one line when it fits; every field it always has."""
    present = set(model.get("required", []))
    fields = []
    for field, node in model["properties"].items():
        optional = field not in present and "default" not in node
        fields.append(f"{field}{'?' if optional else ''}: {js_type(node)}")
    lines = ["/**", f" * {doc}."]
    one_line = f" * @typedef {{{{{', '.join(fields)}}}}} {name}"
    if len(one_line) <= WIDTH:
        lines.append(one_line)
    else:
        lines.append(" * @typedef {{")
        for f in fields:
            lines.extend(wrap(f" *   {f},", " | ", " *     | "))
        lines.append(f" * }}}} {name}")
    lines.append(" */")
    return lines


def wrap(line: str, sep: str, indent: str) -> list[str]:
    """`line` split after whole `sep`-separated parts so each piece fits in WIDTH."""
    parts = line.split(sep)
    out = [parts[0]]
    for part in parts[1:]:
        if len(out[-1]) + len(sep) + len(part) <= WIDTH:
            out[-1] += sep + part
        else:
            out.append(indent + part)
    return out


def frozen_array(name: str, values: list[Any], doc: str) -> list[str]:
    items = ", ".join(js_value(v) for v in values)
    line = f"export const {name} = Object.freeze([{items}]);"
    if len(line) <= WIDTH:
        return [f"/** {doc} */", line]
    return [f"/** {doc} */", f"export const {name} = Object.freeze([",
            *wrap(f"  {items},", ", ", "  "), "]);"]


# -- the file -----------------------------------------------------------------------------

HEADER = f"""\
// @ts-check
// GENERATED by scripts/gen_protocol.py from backend/schedviz/protocol.py (its json_schema(),
// which /api/schema serves). Do not edit by hand: change protocol.py, then run `{COMMAND}`
// (or `{SCRIPT_COMMAND}`); a test fails while this file is stale.
/**
 * The schedviz wire format as the browser sees it.
 *
 * Rules kept here:
 * - An event is a flat object `{{seq, t, kind, ...fields}}`; `t` is ns since the run started.
 * - EVENT_FIELDS lists each kind's own fields in declared order; the block between the BEGIN and
 *   END lines is pure JSON so a test can read it without a JavaScript engine and compare it with
 *   `/api/schema`.
 * - Each comment says since which schema version a kind, message or field exists.
 */"""


def render(schema: dict[str, Any]) -> str:
    """protocol.js for this schema."""
    out = [HEADER, ""]
    out += ["/** Version of the event schema this frontend understands. */",
            f"export const SCHEMA_VERSION = {schema['schema_version']};", ""]

    fields: dict[str, list[str]] = schema["event_fields"]
    out += ["/** kind -> the kind's own field names (after seq, t, kind), in declared order. */",
            "// BEGIN EVENT_FIELDS", "export const EVENT_FIELDS = {"]
    rows = [f"  {json.dumps(kind)}: {json.dumps(names)}" for kind, names in fields.items()]
    out += [",\n".join(rows), "};", "// END EVENT_FIELDS", ""]

    event = schema["event"]
    mapping = event["discriminator"]["mapping"]
    out += ["/** Event kinds by name, so a typo is a missing property rather than a silent string"
            " mismatch. */", "export const EventKind = Object.freeze({"]
    for kind in fields:
        model = event["$defs"][mapping[kind].rsplit("/", 1)[-1]]
        out.append(f"  {kind.upper()}: {json.dumps(kind)}, // {since(model, kind)}")
    out += ["});", ""]

    server = schema["server_message"]
    defs = server["$defs"]
    mapping = server["discriminator"]["mapping"]
    models = {t: defs[ref.rsplit("/", 1)[-1]] for t, ref in mapping.items()}
    out += ["/** Server -> browser message types over /ws, with their fields. */",
            "export const ServerMessage = Object.freeze({"]
    for kind in schema["server_message_types"]:
        model = models[kind]
        shape = ", ".join(f"{f}: {js_type(n)}" for f, n in model["properties"].items()
                          if f != "type")
        out.append(f"  {kind.upper()}: {json.dumps(kind)}, // {version(model, kind)}: {{{shape}}}")
    out += ["});", ""]

    config = schema["run_config"]
    props: dict[str, Any] = config["properties"]
    out += ["/** @typedef {{seq: number, t: number, kind: string, [field: string]: any}} WireEvent"
            " */"]
    out += typedef("RunStatus", defs["RunStatus"], since(defs["RunStatus"], "RunStatus"))
    out += typedef("RunConfig", config, "What to run, as the server sends it (every field)")
    out += typedef("ErrorDetail", defs["ErrorDetail"], since(defs["ErrorDetail"], "ErrorDetail"))
    for kind in schema["server_message_types"]:
        model = models[kind]
        out += typedef(model["title"], model, since(model, kind))
    out.append("")

    out += ["/** RunConfig limits and defaults (the server re-checks every value and is the"
            " authority). */", "export const CONFIG_LIMITS = Object.freeze({"]
    for name, node in props.items():
        if node.get("type") not in ("integer", "number"):
            continue
        if "minimum" not in node or "maximum" not in node:
            raise SystemExit(f"RunConfig.{name} is a number without both bounds (ge=, le=)")
        step = 1 if node["type"] == "integer" else node.get("step")
        if step is None:
            raise SystemExit(f"RunConfig.{name} is a float without a step: give its Field "
                             "json_schema_extra={'step': ...}")
        limits = ", ".join(f"{k}: {js_value(v)}" for k, v in (
            ("min", node["minimum"]), ("max", node["maximum"]), ("step", step),
            ("default", node["default"])))
        out.append(f"  {name}: {{ {limits} }}, // {version(node, name)}")
    out += ["});", ""]

    executors = props["executor"]
    by_executor = props["workload"]["workloads_by_executor"]
    out += ["/**", " * Choices for the enumerated RunConfig fields, the server's default first; "
            "workload offers", f" * the default executor's ({executors['default']}) workloads.",
            " */", "export const CONFIG_CHOICES = Object.freeze({"]
    for name, node in props.items():
        if "enum" not in node:
            continue
        choices = list(by_executor[executors["default"]] if name == "workload" else node["enum"])
        if node.get("default") in choices:
            choices.remove(node["default"])
            choices.insert(0, node["default"])
        out.append(f"  {name}: [{', '.join(js_value(c) for c in choices)}], "
                   f"// {version(node, name)}")
    out += ["});", ""]

    out += frozen_array("ASYNCIO_WORKLOADS", by_executor["asyncio"],
                        'The workloads executor "asyncio" runs (the server refuses the pool '
                        "workloads there).")
    out.append("")
    out += frozen_array("LIVE_FIELDS", list(schema["live_change"]["properties"]),
                        "The RunConfig fields a running run takes changes to (`set` messages).")
    out.append("")

    out += ["/**", " * Whether `kind` is an event kind this schema version knows.",
            " * @param {string} kind", " * @returns {boolean}", " */",
            "export function isKnownKind(kind) {",
            "  return Object.prototype.hasOwnProperty.call(EVENT_FIELDS, kind);", "}", ""]
    return "\n".join(out)


def staleness(path: Path, wanted: str) -> str | None:
    """Why `path` is not `wanted` (with the first lines of the difference), or None if it is."""
    have = path.read_text(encoding="utf-8") if path.exists() else ""
    if have == wanted:
        return None
    diff = list(difflib.unified_diff(
        have.splitlines(), wanted.splitlines(), f"{path.name} (checked in)",
        f"{path.name} (from protocol.py)", lineterm="", n=1))
    shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return (f"{name} is stale: it is not what backend/schedviz/protocol.py generates "
            "(protocol.py changed, or the file was edited by hand).\n"
            f"Regenerate it with `{COMMAND}` (or `{SCRIPT_COMMAND}`) and commit it.\n{shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    wanted = render(current_schema())
    if args.check:
        problem = staleness(TARGET, wanted)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{TARGET.relative_to(ROOT)} is up to date")
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
