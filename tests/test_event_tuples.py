"""Every event the backend builds, read from its source, fits its kind's fields in FIELDS.

The hot path records plain tuples, which nothing checks before the flusher encodes them (a
wrong one would fail the run there). So this reads every module under backend/schedviz, and
the C step timer, and checks each place an event is made:

- `record(kind, *fields)` and `record_at(kind, t, *fields)` calls, on any recorder;
- tuple literals `(kind, t, *fields)`: events built first and recorded later (a process
  worker's, the GIL sampler's, the flusher's derived ones), told from other tuples by their
  start, a kind's name and then a value that is not a constant (the time stamp), by having a
  field at least (`("gil", pid)` is a key), and by not being unpacked on the spot;
- wire objects written out as dict literals `{"seq", "t", "kind", ...}`;
- `PyTuple_Pack(n, s_<kind>, ...)` in the C sources, the kind read from its INTERN line.

For each: the kind is known, the number of fields is the kind's, a constant suits the type of
the field it lands in (strictly: no bool for a str), and an argument named like one of the
kind's fields (`_id` dropped: `timer.task_id` names `task`) sits in that field's slot, unless
that slot holds an argument of the same name too (a worker's pid given as pid and worker).
`*x` counts as many fields as the tuples assigned to x in the same function have.

A call whose kind is not written out (`rec.record_at(*ev)`) forwards tuples built elsewhere:
those are listed in FORWARDING with where their tuples come from, so a new one cannot go
unchecked. A misspelled kind in a bare tuple literal is not recognised as an event here; the
flusher refuses it at run time.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from schedviz import protocol

BACKEND = Path(protocol.__file__).parent
RECORDERS = {"record": 1, "record_at": 2}  # method -> positional arguments before the fields
_COMMON = ("seq", "t", "kind")

#: sites whose kind is not written out -> where their events are built (checked there)
FORWARDING = {
    "instrument/processes.py:_PoolEvents.take_worker_events":
        "tuple literals in instrument/worker.py (run_in_worker) and instrument/gil.py "
        "(ProcessGil), sent back by a worker process",
    "instrument/gil.py:GilWatcher.pull": "the tuple literals of instrument/gil.py:_gil_events",
    # wire objects of any kind, their fields named by a layout and zipped strictly
    "protocol.py:expand": "FIELDS[kind] itself",
    "storage/codec.py:_decode_body": "the layouts (kind, field names) the recording was "
        "written with",
}


@dataclass
class Report:
    """What the checker saw: sites checked (path:line kind), problems, forwarding sites."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    forwarding: list[str] = field(default_factory=list)

    def extend(self, other: Report) -> None:
        self.checked += other.checked
        self.problems += other.problems
        self.forwarding += other.forwarding


def _types() -> dict[str, list[TypeAdapter[Any]]]:
    """kind -> a strict validator of each of its fields, in FIELDS order."""
    out = {}
    for model in protocol.EVENT_MODELS:
        kind = model.model_fields["kind"].default
        out[kind] = [TypeAdapter(model.model_fields[name].annotation)
                     for name in protocol.FIELDS[kind]]
    return out


TYPES = _types()
_UNKNOWN = object()  # an argument whose value is not written out


def _name_of(node: ast.expr) -> str | None:
    """The field an argument names: `task`, `self.pool_id` -> `pool`, `timer.task_id` -> `task`."""
    name = node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else None)
    return name.removesuffix("_id") if name else None


def _value_of(node: ast.expr) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ""  # an f-string is a str whatever it holds
    return _UNKNOWN


def check_fields(where: str, kind: str, args: list[tuple[object, str | None]]) -> list[str]:
    """Problems of one event: `args` are its fields as (constant value or _UNKNOWN, name)."""
    names = protocol.FIELDS.get(kind)
    if names is None:
        return [f"{where}: unknown kind {kind!r}"]
    if len(args) != len(names):
        return [f"{where}: {kind} takes {len(names)} fields {names}, this gives {len(args)}"]
    problems = []
    for i, (value, arg_name) in enumerate(args):
        if value is not _UNKNOWN:
            try:
                TYPES[kind][i].validate_python(value, strict=True)
            except ValidationError:
                problems.append(f"{where}: {kind}.{names[i]} cannot be {value!r}")
        if arg_name in names and arg_name != names[i]:
            own = names.index(arg_name)
            if args[own][1] != arg_name:
                problems.append(f"{where}: {kind}: {arg_name!r} is given as {names[i]!r} "
                                f"(field {i + 1}), not as {arg_name!r} (field {own + 1})")
    return problems


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.report = Report()
        self._scope: list[ast.AST] = []
        self._names: list[str] = []
        self._unpacked: set[int] = set()  # ids of tuples unpacked where they are written
        self._called: set[int] = set()  # ids of `.record` attributes that are called

    def _where(self, node: ast.AST) -> str:
        return f"{self.path}:{getattr(node, 'lineno', 0)}"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._names.append(node.name)
        self.generic_visit(node)
        self._names.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._names.append(node.name)
        self._scope.append(node)
        self.generic_visit(node)
        self._scope.pop()
        self._names.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Tuple) and any(
            isinstance(t, ast.Tuple | ast.List) for t in node.targets
        ):
            self._unpacked.add(id(node.value))  # `a, b = "error", msg`: two values, no event
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # Calls are checked in visit_Call; any other use (an alias, a partial) would hide one.
        if node.attr in RECORDERS and id(node) not in self._called:
            self.report.problems.append(
                f"{self._where(node)}: .{node.attr} is used other than by a call: check it")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in RECORDERS:
            self._called.add(id(func))
            self._record_call(node, RECORDERS[func.attr])
        self.generic_visit(node)

    def _record_call(self, node: ast.Call, lead: int) -> None:
        args = node.args
        first = args[0] if args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            self._forwarding(node)
            return
        self._check(node, first.value, args[lead:])

    def _forwarding(self, node: ast.expr) -> None:
        site = f"{self.path}:{'.'.join(self._names)}"
        self.report.forwarding.append(site)
        if site not in FORWARDING:
            self.report.problems.append(
                f"{self._where(node)}: the kind is not written out ({ast.unparse(node)}); "
                "if it forwards events checked elsewhere, list it in FORWARDING")

    def visit_Tuple(self, node: ast.Tuple) -> None:
        elts = node.elts
        if (len(elts) >= 3 and id(node) not in self._unpacked
                and isinstance(elts[0], ast.Constant) and elts[0].value in protocol.FIELDS
                and not isinstance(elts[1], ast.Constant | ast.Starred)):
            self._check(node, elts[0].value, elts[2:])
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
        if {"seq", "t", "kind"} <= set(keys):
            kind_node = node.values[keys.index("kind")]
            if not isinstance(kind_node, ast.Constant):
                self._forwarding(node)
                return
            kind, where = kind_node.value, self._where(node)
            if kind not in protocol.FIELDS:
                self.report.problems.append(f"{where}: wire event of unknown kind {kind!r}")
            elif tuple(keys) != (*_COMMON, *protocol.FIELDS[kind]):
                self.report.problems.append(
                    f"{where}: {kind} has the keys {(*_COMMON, *protocol.FIELDS[kind])}, "
                    f"this writes {tuple(keys)}")
            else:
                values = node.values[3:]
                self.report.checked.append(f"{where} {kind}")
                self.report.problems += check_fields(
                    where, kind, [(_value_of(v), _name_of(v)) for v in values])
        self.generic_visit(node)

    def _check(self, node: ast.AST, kind: str, fields: list[ast.expr]) -> None:
        where = self._where(node)
        args: list[tuple[object, str | None]] = []
        for arg in fields:
            if isinstance(arg, ast.Starred):
                n = self._length_of(arg.value)
                if n is None:
                    self.report.problems.append(
                        f"{where}: cannot tell how many fields {ast.unparse(arg)} gives")
                    return
                args += [(_UNKNOWN, None)] * n
            else:
                args.append((_value_of(arg), _name_of(arg)))
        self.report.checked.append(f"{where} {kind}")
        self.report.problems += check_fields(where, kind, args)

    def _length_of(self, node: ast.expr) -> int | None:
        """How many values `*node` gives: every assignment in the function must agree."""
        if isinstance(node, ast.Tuple):
            return len(node.elts) if not any(isinstance(e, ast.Starred) for e in node.elts) \
                else None
        if not isinstance(node, ast.Name) or not self._scope:
            return None
        lengths = set()
        for sub in ast.walk(self._scope[-1]):
            if isinstance(sub, ast.AnnAssign) and _is_name(sub.target, node.id):
                lengths.add(_tuple_annotation_length(sub.annotation))
                if sub.value is not None:
                    lengths.add(self._length_of(sub.value))
            elif isinstance(sub, ast.Assign) and any(_is_name(t, node.id) for t in sub.targets):
                lengths.add(self._length_of(sub.value))
        return lengths.pop() if len(lengths) == 1 else None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _tuple_annotation_length(node: ast.expr) -> int | None:
    """n for `tuple[A, B, …]` of n types (no `...`), else None."""
    if not (isinstance(node, ast.Subscript) and _is_name(node.value, "tuple")):
        return None
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if any(isinstance(i, ast.Constant) and i.value is Ellipsis for i in items):
        return None
    return len(items)


def check_source(source: str, path: str) -> Report:
    """Check every event made in one Python module."""
    visitor = _Visitor(path)
    visitor.visit(ast.parse(source, path))
    return visitor.report


_INTERN = re.compile(r'INTERN\(\s*(\w+)\s*,\s*"([^"]*)"\s*\)')
_PACK = re.compile(r"PyTuple_Pack\(\s*(\d+)\s*,([^()]*)\)")  # (no calls among its items)
_C_STRING = re.compile(r'"([a-z_]+)"')


def check_c_source(source: str, path: str) -> Report:
    """Check every event tuple a C module packs (`PyTuple_Pack(n, s_kind, t, ...)`)."""
    report = Report()
    interned = dict(_INTERN.findall(source))
    kinds_used = set()
    for match in _PACK.finditer(source):
        where = f"{path}:{source.count(chr(10), 0, match.start()) + 1}"
        args = [a.strip() for a in match.group(2).split(",")]
        kind = interned.get(args[0])
        if kind not in protocol.FIELDS:
            continue  # not an event: ("sleep", delay), say
        kinds_used.add(args[0])
        if int(match.group(1)) != len(args):
            report.problems.append(f"{where}: packs {match.group(1)} items, lists {len(args)}")
            continue
        fields = []
        for arg in args[2:]:
            value = interned.get(arg, _UNKNOWN) if arg != "Py_None" else None
            name = arg.removeprefix("self->").removesuffix("_id")
            fields.append((value, name if name.isidentifier() else None))
        report.checked.append(f"{where} {kind}")
        report.problems += check_fields(where, kind, fields)
    # A kind named in C but not as the first item of a checked tuple is made some other way.
    for var, text in interned.items():
        if text in protocol.FIELDS and var not in kinds_used:
            report.problems.append(f"{path}: {var} = {text!r} is used but not in a checked "
                                   "PyTuple_Pack: check how it makes that event")
    for text in set(_C_STRING.findall(_INTERN.sub("", source))) & set(protocol.FIELDS):
        report.problems.append(f"{path}: the kind {text!r} is written out, not interned and "
                               "packed where it can be checked")
    return report


def check_backend() -> Report:
    report = Report()
    for path in sorted(BACKEND.rglob("*.py")):
        report.extend(check_source(path.read_text(), str(path.relative_to(BACKEND))))
    for path in sorted(BACKEND.rglob("*.c")):
        report.extend(check_c_source(path.read_text(), str(path.relative_to(BACKEND))))
    return report


def test_every_event_the_backend_builds_fits_its_kind() -> None:
    report = check_backend()
    assert report.problems == []
    # Each listed site still forwards (one whose module is not there is someone's to list).
    listed = {site for site in FORWARDING if (BACKEND / site.split(":")[0]).exists()}
    assert set(report.forwarding) == listed
    # The walk really saw the hot paths: each of these makes events, the C timer too.
    seen = {site.split(":")[0] for site in report.checked}
    for module in ("instrument/threads.py", "instrument/processes.py", "instrument/worker.py",
                   "instrument/gil.py", "instrument/pending.py", "instrument/memory.py",
                   "lab/driver.py", "lab/flusher.py", "lab/handover.py", "_aiostep.c"):
        assert module in seen, module
    assert {site.split()[1] for site in report.checked} >= {
        "task_submitted", "task_started", "task_finished", "aio_step", "gil", "run_ended"}


BAD = '''
def work(rec, task, worker, t, info):
    rec.record("task_started", task, worker)                # right
    rec.record("task_started", worker, task)                # swapped
    rec.record("task_startd", task, worker)                 # unknown kind
    rec.record_at("task_moved", t, task, 0)                 # one field short
    rec.record("serialized", task, "parent", "dumps", "args", 5, 10)  # what/op swapped
    finished = ("task_finished", t, task, worker, "yes", None, None, None, None)  # ok is a bool
    rec.record(*finished)                                   # forwards: not in FORWARDING
    record = rec.record                                     # an alias hides its calls
    rec.record_at("task_submitted", t, task, 0, *info)      # how many is *info?
    outcome, error = "error", "boom"                        # unpacked: not an event
    return {"seq": 0, "t": t, "kind": "warning", "text": "x"}  # wrong key
'''

BAD_C = '''
    INTERN(s_aio_step, "aio_step");
    INTERN(s_yield, "yield");
    item = PyTuple_Pack(8, s_aio_step, t0o, self->task_id, duro, file, lineo, what, s_yield);
'''


def test_the_checker_reports_each_wrong_event() -> None:
    report = check_source(BAD, "bad.py")
    lines = sorted({int(p.split(":")[1]) for p in report.problems})
    assert lines == [4, 5, 6, 7, 8, 9, 10, 11, 13], report.problems
    text = "\n".join(report.problems)
    assert "'task' is given as 'worker'" in text
    assert "unknown kind 'task_startd'" in text
    assert "task_moved takes 3 fields" in text
    assert "serialized.what cannot be 'dumps'" in text
    assert "task_finished.ok cannot be 'yes'" in text
    assert "cannot tell how many fields *info gives" in text
    assert report.forwarding == ["bad.py:work"]
    c_report = check_c_source(BAD_C, "bad.c")
    assert c_report.problems == [
        "bad.c:4: aio_step takes 7 fields ('task', 'dur_ns', 'file', 'line', 'awaiting', "
        "'waits_on', 'outcome'), this gives 6"]
