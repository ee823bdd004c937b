"""The offline page end to end: a real run recorded with `schedviz record`, bookmarked, exported
with `schedviz export --format html`, opened from file:// in Chromium with no server: every
module of its import map loads, nothing is fetched over the network, and the embedded
recording reads back with its events and bookmark notes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error, Page

from schedviz.storage.recordings import RecordingStore

pytestmark = pytest.mark.timeout(120)

NOTES = ["all three workers busy", "the queue drains"]
# What main.js may run into when it looks for a server from file:// (its own business, not the
# page's): printed, not failed on. Anything else uncaught fails the test.
SERVER_TROUBLE = re.compile(r"fetch|websocket|network", re.I)

READ_BACK = """async () => {
  const map = JSON.parse(document.querySelector('script[type="importmap"]').textContent).imports;
  const failed = [];
  for (const specifier of Object.keys(map)) {
    try {
      await import(specifier);
    } catch (err) {
      failed.push(`${specifier}: ${err}`);
    }
  }
  const { loadEmbedded } = await import("schedviz:/transport/embedded.js");
  const payload = await loadEmbedded();
  const [run] = payload.runs;
  return {
    modules: Object.keys(map).length,
    failed,
    format: [payload.format, payload.version, payload.runs.length],
    id: run.recording.id,
    events: run.events.length,
    gapFree: run.events.every((e, i) => e.seq === i),
    kinds: [run.events[0].kind, run.events[run.events.length - 1].kind],
    notes: run.bookmarks.map((b) => b.note),
    offline: document.querySelector('meta[name="schedviz-offline"]')?.content,
  };
}"""

REFUSALS = """async () => {
  const { loadEmbedded } = await import("schedviz:/transport/embedded.js");
  const packed = async (value) => {
    const stream = new Blob([JSON.stringify(value)]).stream()
      .pipeThrough(new CompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  };
  const page = (text, encoding = "gzip+base64") => {
    const doc = document.implementation.createHTMLDocument("t");
    const el = doc.createElement("script");
    el.type = "application/json";
    el.id = "schedviz-recording";
    el.dataset.encoding = encoding;
    el.textContent = text;
    doc.head.append(el);
    return doc;
  };
  const refusal = async (doc) => {
    try {
      await loadEmbedded(doc);
      return "not refused";
    } catch (err) {
      return err.message;
    }
  };
  const runs = [];
  return {
    none: await loadEmbedded(document.implementation.createHTMLDocument("t")),
    own: (await loadEmbedded(page(await packed({ format: "schedviz-embedded", version: 1, runs }))))
      .runs.length,
    newer: await refusal(page(await packed({ format: "schedviz-embedded", version: 2, runs }))),
    foreign: await refusal(page(await packed({ format: "perfetto", version: 1 }))),
    encoding: await refusal(page("e30=", "base64")),
    damaged: await refusal(page("not base64!")),
    notGzip: await refusal(page(btoa("plain text"))),
  };
}"""


def schedviz(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "schedviz", *args], capture_output=True,
                          text=True, timeout=90, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A real io-threads run, recorded and bookmarked, exported as one page: (page, id, events)."""
    folder = tmp_path_factory.mktemp("offline")
    lib = folder / "library"
    rid = schedviz("record", "--scenario", "io-threads", "--name", "offline lesson",
                   "--data-dir", str(lib)).stdout.strip()
    with RecordingStore.in_data_dir(lib) as store:
        for seq, note in zip((10, 40), NOTES, strict=True):
            store.bookmarks.add(rid, seq, note)
        events = store.get(rid).events
    page = folder / "lesson.html"
    schedviz("export", rid, "--format", "html", "-o", str(page), "--data-dir", str(lib))
    return page, rid, events


def open_offline(page: Page, path: Path) -> tuple[list[str], list[str], list[Error]]:
    """Open the page from file://; what it requested, the websockets it tried, its errors."""
    requests: list[str] = []
    sockets: list[str] = []
    errors: list[Error] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(path.as_uri())
    page.wait_for_load_state("networkidle")
    return requests, sockets, errors


def test_the_exported_page_replays_its_data_from_file_without_network(
    page: Page, exported: tuple[Path, str, int],
) -> None:
    path, rid, events = exported
    requests, sockets, errors = open_offline(page, path)
    got: dict[str, Any] = page.evaluate(READ_BACK)

    assert got["failed"] == [] and got["modules"] > 40
    assert got["format"] == ["schedviz-embedded", 1, 1]
    assert got["id"] == rid and got["events"] == events and got["gapFree"]
    assert got["kinds"] == ["run_started", "run_ended"]
    assert got["notes"] == NOTES
    assert got["offline"] == "1"

    print("requests:", requests, "websockets:", sockets)
    assert requests[0] == path.as_uri()
    assert [u for u in requests if u.startswith(("http:", "https:"))] == []
    tolerated = [e for e in errors if SERVER_TROUBLE.search(e.message)]
    print("main.js looking for a server:", [e.message for e in tolerated])
    assert [f"{e.name}: {e.message}\n{e.stack}" for e in errors if e not in tolerated] == []


def test_the_reader_refuses_what_it_does_not_know(page: Page,
                                                  exported: tuple[Path, str, int]) -> None:
    open_offline(page, exported[0])
    got: dict[str, Any] = page.evaluate(REFUSALS)
    assert got["none"] is None and got["own"] == 0
    assert "version 2 of its format; this page reads version 1" in got["newer"]
    assert "made by a newer schedviz" in got["newer"]
    assert 'not a schedviz recording (format "perfetto"' in got["foreign"]
    assert 'encoded as "base64"; this page reads only "gzip+base64"' in got["encoding"]
    assert "damaged (not base64" in got["damaged"]
    assert "damaged (not gzip" in got["notGzip"]
    for message in (got["foreign"], got["encoding"], got["damaged"], got["notGzip"]):
        assert "export the recording again with `schedviz export ID --format html`" in message
