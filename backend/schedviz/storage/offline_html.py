"""Recordings as one offline .html file: the app's own page, its modules and its data inlined,
so that it replays from file:// in a browser with no server and no network.

The rule: the file is frontend/index.html with style.css inlined into a <style>, and its
`<script type="module" src="main.js">` replaced by, in this order, an import map, the embedded
data and a one-line module that imports main.js. Module scripts cannot load from file://, and
relative imports cannot resolve inside the data: URLs the import map points at, so every
frontend module is named by one specifier from its real path, `schedviz:/` + its path under
frontend/ (`schedviz:/model/core/store.js`), and every relative import in every module,
static, re-exported or dynamic, is rewritten to that specifier.

The data is `<script type="application/json" id="schedviz-recording"
data-encoding="gzip+base64">`: base64 of gzip of the UTF-8 JSON

    {"format": "schedviz-embedded", "version": 1, "runs": [
        {"recording": GET /api/recordings/{id}'s recording, "events": [wire events, by seq],
         "bookmarks": GET /api/recordings/{id}/bookmarks, "source": GET /api/source/asyncio
         for an asyncio run, else null}, ...]}

which frontend/transport/embedded.js reads back. `<meta name="schedviz-offline" content="1">`
tells the page it is offline.

Guarantees:
- The import map holds exactly the modules reachable from main.js and transport/embedded.js
  by their imports; an import that does not name a module file under frontend/ (a package, an
  absolute URL, a computed import(), a missing file) is refused naming the file and the line.
- The page refers to nothing but data: URLs (no src= or href= to anything else, no url() or
  @import in its style): opened from file:// it makes no network request. Anything else in
  index.html or style.css is refused rather than written.
- A payload past MAX_PAYLOAD_BYTES compressed or MAX_JSON_BYTES of JSON is refused (TooLarge)
  before anything is written to `out`; the events are compressed as they are read, into a
  temporary file, never held whole in memory.
- A recording still being recorded is refused (RecordingLive): export it when it has ended.
"""

from __future__ import annotations

import base64
import html
import json
import posixpath
import re
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from schedviz.storage.errors import InvalidValue, RecordingLive, TooLarge
from schedviz.storage.recordings import RecordingStore
from schedviz.storage.records import Recording
from schedviz.storage.sources import source_of

PAYLOAD_FORMAT = "schedviz-embedded"
PAYLOAD_VERSION = 1
ELEMENT_ID = "schedviz-recording"
ENCODING = "gzip+base64"
SCHEME = "schedviz:/"  # + a module's path under frontend/
ENTRY = "main.js"
ALSO_EMBEDDED = ("transport/embedded.js",)  # read by the offline page, whoever imports it
MAX_PAYLOAD_BYTES = 200 * 2**20  # the compressed payload
MAX_JSON_BYTES = 500 * 2**20  # what it inflates to: one JavaScript string has to hold it

_CHUNK = 3 * 2**18  # bytes base64-encoded at a time (a multiple of 3: no padding inside)


class FrontendError(ValueError):
    """The frontend's files do not make an offline page (a broken checkout or install)."""


def write_offline_html(store: RecordingStore, recording_ids: Sequence[str], out: IO[bytes],
                       frontend: Path, title: str | None = None) -> None:
    """Write the recordings `recording_ids`, in that order, as one offline page to `out`.

    `frontend` is the folder of index.html (web.app.frontend_dir()); `title` the page's title
    (default: the recordings' names).
    """
    if not recording_ids:
        raise InvalidValue("there is nothing to export: give at least one recording")
    recordings = [store.get(rid) for rid in recording_ids]
    for rec in recordings:
        if rec.live:
            raise RecordingLive(f"recording {rec.id!r} is still being recorded: export it "
                                "when its run has ended")
    head, tail = offline_page(frontend, title or " · ".join(r.name for r in recordings))
    with tempfile.TemporaryFile() as packed:
        _pack(store, recordings, packed)
        packed.seek(0)
        out.write(head.encode())
        while chunk := packed.read(_CHUNK):
            out.write(base64.b64encode(chunk))
        out.write(tail.encode())


# -- the payload -------------------------------------------------------------------------------


def _pack(store: RecordingStore, recordings: list[Recording], into: IO[bytes]) -> None:
    """The payload's JSON, gzipped into `into` as it is made; TooLarge past either bound."""
    packer = _Packer(into)
    packer.put(f'{{"format":{_json(PAYLOAD_FORMAT)},"version":{PAYLOAD_VERSION},"runs":[')
    for i, rec in enumerate(recordings):
        packer.put(("," if i else "") + f'{{"recording":{_json(rec.as_json())},"events":[')
        for n, event in enumerate(store.read_events(rec.id)):
            packer.put(("," if n else "") + _event_json(event))
        marks = [b.as_json() for b in store.bookmarks.of(rec.id)]
        source = source_of(rec.source, rec.config)
        packer.put(f'],"bookmarks":{_json(marks)},"source":{_json(source)}}}')
    packer.put("]}")
    packer.close()


class _Packer:
    """Text in, gzip out, counted against both bounds; compressed a buffer at a time."""

    def __init__(self, into: IO[bytes]) -> None:
        self.into = into
        self.gz = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: the gzip container
        self.pending: list[str] = []
        self.pending_chars = 0
        self.json_bytes = 0
        self.packed_bytes = 0

    def put(self, text: str) -> None:
        self.pending.append(text)
        self.pending_chars += len(text)
        if self.pending_chars >= _CHUNK:
            self._compress()

    def close(self) -> None:
        self._compress()
        self._emit(self.gz.flush())

    def _compress(self) -> None:
        raw = "".join(self.pending).encode()
        self.pending, self.pending_chars = [], 0
        self.json_bytes += len(raw)
        if self.json_bytes > MAX_JSON_BYTES:
            raise TooLarge(f"the recordings make more than {_size(MAX_JSON_BYTES)} of JSON, "
                           "more than a browser reads in one piece (MAX_JSON_BYTES): export "
                           "fewer or shorter recordings")
        self._emit(self.gz.compress(raw))

    def _emit(self, data: bytes) -> None:
        self.packed_bytes += len(data)
        if self.packed_bytes > MAX_PAYLOAD_BYTES:
            raise TooLarge(f"the recordings compress to more than {_size(MAX_PAYLOAD_BYTES)}, "
                           "the most one offline page holds (MAX_PAYLOAD_BYTES): export fewer "
                           "or shorter recordings")
        self.into.write(data)


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n} bytes"


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _event_json(event: dict[str, Any]) -> str:
    try:
        return _json(event)
    except ValueError as exc:  # NaN or infinity, which JSON (and so the page) cannot read
        raise InvalidValue(f"event {event.get('seq')} does not fit in JSON: {exc}") from None


# -- the page ----------------------------------------------------------------------------------

_STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
_MODULE_SCRIPT = re.compile(r'<script\s+type="module"\s+src="([^"]+)"\s*>\s*</script>')
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", re.I)
_CSS_REFERENCE = re.compile(r"@import|url\(\s*(?![\"']?data:)", re.I)


def offline_page(frontend: Path, title: str) -> tuple[str, str]:
    """The page around its data: everything before the data element's text, and after."""
    index = _read(frontend / "index.html")
    scripts = _MODULE_SCRIPT.findall(index)
    if scripts != [ENTRY]:
        raise FrontendError(f"{frontend / 'index.html'} must load exactly one module script, "
                            f'<script type="module" src="{ENTRY}">; it loads {scripts}')
    index = _STYLESHEET.sub(lambda m: _inline_style(frontend, m.group(1)), index)
    index = _TITLE.sub(lambda _: f"<title>{html.escape(title)} — schedviz</title>", index, 1)
    imports = {SCHEME + path: _data_url(text) for path, text in module_graph(frontend).items()}
    importmap = json.dumps({"imports": imports}, indent=1).replace("</", "<\\/")
    head = (
        '<meta name="schedviz-offline" content="1">\n'
        f'  <script type="importmap">\n{importmap}\n  </script>\n'
        f'  <script type="application/json" id="{ELEMENT_ID}" data-encoding="{ENCODING}">'
    )
    tail = f'</script>\n  <script type="module">import "{SCHEME}{ENTRY}";</script>'
    before, after = _MODULE_SCRIPT.split(index, 1)[::2]
    _check_references(before + after, frontend)
    return before + head, tail + after


def _inline_style(frontend: Path, href: str) -> str:
    path = _inside(frontend, href, frontend / "index.html")
    css = _read(path)
    if _CSS_REFERENCE.search(css) or "</style" in css.lower():
        raise FrontendError(f"{path} refers to another file (@import or url() that is not "
                            "data:) or closes its <style>: it cannot be inlined offline")
    return f"<style>\n{css}</style>"


def _check_references(page: str, frontend: Path) -> None:
    """Nothing on the page loads anything but data: (the check behind the no-network rule)."""
    for target in _REFERENCE.findall(page):
        if not target.startswith("data:"):
            raise FrontendError(f"{frontend / 'index.html'} refers to {target!r}, which an "
                                "offline page cannot load: only data: URLs can stay")


def _data_url(text: str) -> str:
    return "data:text/javascript;base64," + base64.b64encode(text.encode()).decode()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrontendError(f"cannot read {path}: {exc.strerror}") from None


def _inside(frontend: Path, relative: str, where: Path) -> Path:
    path = (where.parent / relative).resolve()
    root = frontend.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise FrontendError(f"{where} refers to {relative!r}, which is not a file under {root}")
    return path


# -- the module graph --------------------------------------------------------------------------


def module_graph(frontend: Path) -> dict[str, str]:
    """Every module reachable from main.js and transport/embedded.js: its path under
    `frontend` (posix) -> its text with each relative import rewritten to `schedviz:/path`."""
    modules: dict[str, str] = {}
    todo = [ENTRY, *ALSO_EMBEDDED]
    while todo:
        path = todo.pop()
        if path in modules:
            continue
        text = _read(frontend / path)
        rewritten, found = _rewrite_imports(text, path, frontend)
        modules[path] = rewritten + f"\n//# sourceURL={SCHEME}{path}\n"
        todo.extend(found)
    return dict(sorted(modules.items()))


def _rewrite_imports(text: str, path: str, frontend: Path) -> tuple[str, list[str]]:
    """The module with its relative specifiers rewritten, and the modules they name."""
    try:
        specifiers = list(find_imports(text))
    except _ScanError as exc:
        raise FrontendError(f"{frontend / path}:{_line(text, exc.pos)}: {exc.args[0]}") from None
    out, targets, last = [], [], 0
    for spec in specifiers:
        target = _resolve(spec, text, path, frontend)
        targets.append(target)
        out += [text[last:spec.start], json.dumps(SCHEME + target)]
        last = spec.end
    out.append(text[last:])
    return "".join(out), targets


def _resolve(spec: Specifier, text: str, path: str, frontend: Path) -> str:
    where = f"{frontend / path}:{_line(text, spec.start)}"
    if spec.value is None:
        raise FrontendError(f"{where}: an import() of a computed name cannot be embedded in an "
                            "offline page; import a module by its relative path")
    if not spec.value.startswith(("./", "../")):
        raise FrontendError(f"{where}: cannot embed the import of {spec.value!r}: only modules "
                            "of the frontend, by a path starting ./ or ../, can be embedded")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec.value))
    if target.startswith("../") or not (frontend / target).is_file():
        raise FrontendError(f"{where}: the import of {spec.value!r} names no module file under "
                            f"{frontend}")
    return target


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


@dataclass(frozen=True)
class Specifier:
    """Where a module's import names another: its literal's span (quotes included) and text,
    None for an import() of something that is not a string literal."""

    start: int
    end: int
    value: str | None


class _ScanError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


_STATIC = re.compile(r"(?<![\w$.])(?:import|from)\s*(?=[\"'])")
_DYNAMIC = re.compile(r"(?<![\w$.])import\s*\(\s*")


def find_imports(text: str) -> Iterable[Specifier]:
    """The specifiers of a module's imports: `import ... from "x"`, `import "x"`, `export ...
    from "x"` and `import("x")`, in source order, outside comments, strings and regexes."""
    masked, literals = _mask(text)
    found = []
    for m in _STATIC.finditer(masked):
        lit = literals.get(m.end())
        if lit is None:
            raise _ScanError("an import's name is not a string literal", m.start())
        found.append(Specifier(lit.start, lit.end, lit.value))
    for m in _DYNAMIC.finditer(masked):
        lit = literals.get(m.end())
        after = masked[lit.end:].lstrip()[:1] if lit else ""
        if lit is not None and after in (")", ","):
            found.append(Specifier(lit.start, lit.end, lit.value))
        else:
            found.append(Specifier(m.end(), m.end(), None))
    return sorted(found, key=lambda s: s.start)


@dataclass(frozen=True)
class _Literal:
    start: int
    end: int  # after the closing quote
    value: str


_KEYWORDS_BEFORE_REGEX = frozenset((
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
    "else", "yield", "await",
))
_PUNCTUATION_BEFORE_REGEX = frozenset("(,=:[!&|?{};+-*%<>~^")


def _mask(text: str) -> tuple[str, dict[int, _Literal]]:
    """The text with comments and the insides of strings, templates and regexes blanked
    (quotes kept, lines kept), and its string literals by where they start."""
    out = list(text)
    literals: dict[int, _Literal] = {}
    templates: list[int] = []  # brace depth at each open ${
    depth, prev, i, n = 0, "", 0, len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise _ScanError("a comment is not closed", i)
            blank(i, j + 2)
            i = j + 2
        elif c in "'\"":
            j = _string_end(text, i)
            literals[i] = _Literal(i, j, text[i + 1:j - 1])
            blank(i + 1, j - 1)
            i, prev = j, "a"
        elif c == "`" or (c == "}" and templates and depth == templates[-1]):
            if c == "}":
                templates.pop()
            j, opens = _template_end(text, i + 1)
            blank(i + 1, j - (2 if opens else 1))
            if opens:
                templates.append(depth)
            i, prev = j, "(" if opens else "a"
        elif c == "/" and (prev in _PUNCTUATION_BEFORE_REGEX or prev in _KEYWORDS_BEFORE_REGEX
                           or not prev):
            j = _regex_end(text, i)
            blank(i + 1, j)
            i, prev = j, "a"
        elif c.isalnum() or c in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            word = text[i:j]
            i, prev = j, word if word in _KEYWORDS_BEFORE_REGEX else "a"
        else:
            depth += (c == "{") - (c == "}")
            i, prev = i + 1, c
    return "".join(out), literals


def _string_end(text: str, i: int) -> int:
    quote, j = text[i], i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            return j + 1
        elif c == "\n":
            break
        else:
            j += 1
    raise _ScanError("a string is not closed on its line", i)


def _template_end(text: str, j: int) -> tuple[int, bool]:
    """From inside a template: after its closing ` (False) or after its next ${ (True)."""
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
        elif c == "`":
            return j + 1, False
        elif text.startswith("${", j):
            return j + 2, True
        else:
            j += 1
    raise _ScanError("a template literal is not closed", j)


def _regex_end(text: str, i: int) -> int:
    """After a regex literal's closing / (its flags are blanked with it)."""
    j, in_class = i + 1, False
    while j < len(text) and text[j] != "\n":
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            return j + 1
        j += 1
    raise _ScanError("a regular expression is not closed on its line", i)
