"""Recordings as one offline .html page: real runs in, one file out that holds every module of
the frontend's graph as data: URLs, refers to nothing else, and embeds exactly the stored
events and bookmarks; what cannot be made offline, or is too large, is refused."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from storeutil import assert_same_events

from schedviz import aio_workloads
from schedviz.storage import offline_html
from schedviz.storage.errors import RecordingLive, TooLarge
from schedviz.storage.offline_html import FrontendError, write_offline_html
from schedviz.storage.recordings import RecordingStore
from schedviz.web.app import create_app

Event = dict[str, Any]
FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
NOTES = ("the loop is idle", "a client connects")
ROOTS = ("main.js", "transport/embedded.js")
# A module's static imports, as this test reads them (independently of the exporter's scanner).
STATIC_IMPORT = re.compile(
    r"""^(?:import\s*|(?:import|export)\b[^;'"]*?\bfrom\s*)["']([^"']+)["']""", re.M)


def record(store: RecordingStore, rid: str, events: list[Event], name: str) -> None:
    store.create_recording(rid, events[0]["config"], name=name)
    for i in range(0, len(events), 700):
        store.append(rid, events[i:i + 700])
    store.finish(rid, "completed")
    store.flush()


@pytest.fixture
def library(tmp_path: Path, real_runs: dict[str, list[Event]]) -> Iterator[RecordingStore]:
    """The real asyncio run (two bookmarks) then the real thread-pool run, in one session."""
    with RecordingStore.in_data_dir(tmp_path / "lib", commit_interval_s=0.05) as s:
        record(s, "a1", real_runs["asyncio"], "echo lesson")
        s.bookmarks.add("a1", 3, NOTES[0])
        s.bookmarks.add("a1", 30, NOTES[1])
        record(s, "t1", real_runs["threads"], "steady stream")
        yield s


def page_of(store: RecordingStore, ids: list[str], frontend: Path = FRONTEND) -> str:
    out = io.BytesIO()
    write_offline_html(store, ids, out, frontend)
    return out.getvalue().decode()


def payload_of(page: str) -> dict[str, Any]:
    """The embedded payload, decoded as the format says: base64, then gzip, then JSON."""
    found = re.search(r'<script type="application/json" id="schedviz-recording" '
                      r'data-encoding="gzip\+base64">([A-Za-z0-9+/=]*)</script>', page)
    assert found, "no embedded recording element"
    payload: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(found[1])))
    return payload


def import_map(page: str) -> dict[str, str]:
    found = re.search(r'<script type="importmap">(.*?)</script>', page, re.S)
    assert found, "no import map"
    imports: dict[str, str] = json.loads(found[1])["imports"]
    return imports


def module_text(url: str) -> str:
    head, _, data = url.partition(",")
    assert head == "data:text/javascript;base64", head
    return base64.b64decode(data).decode()


def reachable(frontend: Path) -> set[str]:
    """The modules main.js and transport/embedded.js reach by their static imports."""
    seen: set[str] = set()
    todo = list(ROOTS)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for spec in STATIC_IMPORT.findall((frontend / path).read_text()):
            todo.append((frontend / path).parent.joinpath(spec).resolve()
                        .relative_to(frontend.resolve()).as_posix())
    return seen


def test_one_page_holds_every_module_of_the_graph_and_refers_to_nothing_else(
    library: RecordingStore, tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with (out / "lesson.html").open("wb") as f:
        write_offline_html(library, ["a1"], f, FRONTEND)
    assert [p.name for p in out.iterdir()] == ["lesson.html"]
    page = (out / "lesson.html").read_text()

    imports = import_map(page)
    assert set(imports) == {f"schedviz:/{m}" for m in reachable(FRONTEND)}
    assert "schedviz:/main.js" in imports and "schedviz:/transport/embedded.js" in imports
    for specifier, url in imports.items():
        text = module_text(url)
        for spec in STATIC_IMPORT.findall(text):
            assert spec in imports, f"{specifier} imports {spec!r}, which the map lacks"
        path = specifier.removeprefix("schedviz:/")
        assert len(STATIC_IMPORT.findall(text)) == len(
            STATIC_IMPORT.findall((FRONTEND / path).read_text())), path

    outside = [t for t in re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page)
               if not t.startswith("data:")]
    assert outside == []
    assert (FRONTEND / "style.css").read_text() in page and "stylesheet" not in page
    assert '<meta name="schedviz-offline" content="1">' in page
    order = [page.index(s) for s in ('<script type="importmap">', 'id="schedviz-recording"',
                                     '<script type="module">import "schedviz:/main.js";')]
    assert order == sorted(order)
    assert "<title>echo lesson — schedviz</title>" in page


def test_the_payload_is_the_stored_events_bookmarks_and_source(
    library: RecordingStore, real_runs: dict[str, list[Event]],
) -> None:
    payload = payload_of(page_of(library, ["a1"]))
    assert (payload["format"], payload["version"]) == ("schedviz-embedded", 1)
    [run] = payload["runs"]
    assert list(run) == ["recording", "events", "bookmarks", "source"]
    assert run["recording"] == library.get("a1").as_json()
    assert_same_events(run["events"], list(library.read_events("a1")))
    assert_same_events(run["events"], real_runs["asyncio"])
    assert run["bookmarks"] == [b.as_json() for b in library.bookmarks.of("a1")]
    assert [b["note"] for b in run["bookmarks"]] == list(NOTES)
    lines = Path(aio_workloads.__file__).read_text(encoding="utf-8").splitlines()
    assert run["source"] == {"file": aio_workloads.__file__, "lines": lines}


def test_several_recordings_are_runs_in_the_order_given(
    library: RecordingStore, real_runs: dict[str, list[Event]],
) -> None:
    runs = payload_of(page_of(library, ["t1", "a1"]))["runs"]
    assert [r["recording"]["id"] for r in runs] == ["t1", "a1"]
    assert_same_events(runs[0]["events"], real_runs["threads"])
    assert runs[0]["bookmarks"] == [] and runs[0]["source"] is None
    assert len(runs[1]["events"]) == len(real_runs["asyncio"])


def test_the_web_exports_a_recording_and_a_session_as_pages(library: RecordingStore) -> None:
    [session] = library.sessions.all()
    data_dir = library.path.parent
    expected = payload_of(page_of(library, ["a1", "t1"]))
    library.close()
    with TestClient(create_app(data_dir=data_dir), base_url="http://127.0.0.1") as client:
        one = client.get("/api/recordings/a1/export", params={"format": "html"})
        assert one.status_code == 200, one.text
        assert one.headers["content-type"].startswith("text/html")
        assert one.headers["content-disposition"] == 'attachment; filename="a1.html"'
        assert payload_of(one.text)["runs"] == expected["runs"][:1]
        both = client.get(f"/api/sessions/{session.id}/export", params={"format": "html"})
        assert both.status_code == 200, both.text
        assert both.headers["content-disposition"] == \
            f'attachment; filename="session-{session.id}.html"'
        assert payload_of(both.text) == expected
        assert client.get("/api/sessions/99/export").status_code == 404
        other = client.get(f"/api/sessions/{session.id}/export", params={"format": "jsonl"})
        assert other.status_code == 422 and "html" in other.text


@pytest.mark.parametrize(("limit", "words"), [
    ("MAX_PAYLOAD_BYTES", "compress to more than 4096 bytes"),
    ("MAX_JSON_BYTES", "make more than 4096 bytes of JSON"),
])
def test_a_too_large_payload_is_refused_before_anything_is_written(
    library: RecordingStore, monkeypatch: pytest.MonkeyPatch, limit: str, words: str,
) -> None:
    monkeypatch.setattr(offline_html, limit, 4096)
    out = io.BytesIO()
    with pytest.raises(TooLarge, match=f"{words}.*\\({limit}\\)") as refused:
        write_offline_html(library, ["a1", "t1"], out, FRONTEND)
    assert isinstance(refused.value, ValueError)
    assert out.getvalue() == b""


def test_a_live_recording_or_none_at_all_is_refused(library: RecordingStore,
                                                    real_runs: dict[str, list[Event]]) -> None:
    library.create_recording("live1", real_runs["threads"][0]["config"])
    library.append("live1", real_runs["threads"][:10])
    with pytest.raises(RecordingLive, match="still being recorded: export it when"):
        write_offline_html(library, ["a1", "live1"], io.BytesIO(), FRONTEND)
    with pytest.raises(ValueError, match="give at least one recording"):
        write_offline_html(library, [], io.BytesIO(), FRONTEND)


@pytest.fixture
def frontend(tmp_path: Path) -> Path:
    """A copy of the frontend to break."""
    copy = tmp_path / "frontend"
    shutil.copytree(FRONTEND, copy)
    return copy


TRICKY = """// import "./in-a-comment.js";
/* import { x } from "./in-a-block.js"; */
import {
  ELEMENT_ID,
} from "./transport/embedded.js";
export { FORMAT } from './transport/embedded.js';
const quoted = "import './in-a-string.js'";
const regex = /"from "x"/g;
const template = `from "./in-a-template.js" ${ `${quoted}` } ${ {a: 1}.a }`;
const later = () => import( "./later.js" );
"""


def test_imports_are_found_in_code_only_and_each_is_rewritten(frontend: Path,
                                                            library: RecordingStore) -> None:
    (frontend / "main.js").write_text(TRICKY)
    (frontend / "later.js").write_text('export const LATER = 1;\n')
    imports = import_map(page_of(library, ["t1"], frontend))
    assert set(imports) == {"schedviz:/main.js", "schedviz:/later.js",
                            "schedviz:/transport/embedded.js"}
    main = module_text(imports["schedviz:/main.js"])
    assert main.startswith(TRICKY.replace('"./transport/embedded.js"',
                                          '"schedviz:/transport/embedded.js"')
                           .replace("'./transport/embedded.js'",
                                    '"schedviz:/transport/embedded.js"')
                           .replace('"./later.js"', '"schedviz:/later.js"'))
    assert main.endswith("//# sourceURL=schedviz:/main.js\n")


@pytest.mark.parametrize(("file", "text", "words"), [
    ("main.js", 'import { a } from "./nowhere.js";\n', "main.js:1: the import of './nowhere.js' "
                                                        "names no module file"),
    ("main.js", '\nimport { html } from "lit";\n', "main.js:2: cannot embed the import of 'lit'"),
    ("main.js", 'import "https://cdn.example/x.js";\n', "cannot embed the import of 'https:"),
    ("main.js", 'import "../../outside.js";\n', "names no module file"),
    ("main.js", "const m = import(name);\n", "main.js:1: an import() of a computed name"),
    ("main.js", 'const s = "not closed;\n', "main.js:1: a string is not closed"),
    ("transport/embedded.js", 'import "./gone.js";\n', "transport/embedded.js:1: the import "
                                                       "of './gone.js'"),
    ("style.css", "body { background: url(https://example.com/a.png) }\n",
     "style.css refers to another file"),
    ("style.css", '@import "more.css";\n', "style.css refers to another file"),
])
def test_what_cannot_be_made_offline_is_refused_naming_the_file(
    frontend: Path, library: RecordingStore, file: str, text: str, words: str,
) -> None:
    (frontend / file).write_text(text)
    out = io.BytesIO()
    with pytest.raises(FrontendError) as refused:
        write_offline_html(library, ["t1"], out, frontend)
    assert words in str(refused.value) and str(frontend) in str(refused.value)
    assert out.getvalue() == b""


def test_a_page_that_loads_anything_else_is_refused(frontend: Path,
                                                    library: RecordingStore) -> None:
    index = (frontend / "index.html").read_text()
    extra = '<script src="https://cdn.example/analytics.js"></script>\n</head>'
    (frontend / "index.html").write_text(index.replace("</head>", extra, 1))
    with pytest.raises(FrontendError, match=re.escape("refers to 'https://cdn.example/analytics.js'")):
        page_of(library, ["t1"], frontend)
    (frontend / "index.html").write_text(index.replace('src="main.js"', 'src="app.js"'))
    with pytest.raises(FrontendError, match='exactly one module script'):
        page_of(library, ["t1"], frontend)
