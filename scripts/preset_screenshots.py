"""Screenshots and tooltips of every preset, from recorded events, to compare two frontends.

Real runs are not deterministic, so each preset's events are recorded once and replayed into
any number of frontends (say, before and after a refactor that must not change what is drawn):

    .venv/bin/python scripts/preset_screenshots.py record --out test-results/preset-events
    .venv/bin/python scripts/preset_screenshots.py shoot --frontend /tmp/before/frontend \\
        --events test-results/preset-events --out test-results/screenshots-before
    .venv/bin/python scripts/preset_screenshots.py shoot --frontend frontend \\
        --events test-results/preset-events --out test-results/screenshots-after
    .venv/bin/python scripts/preset_screenshots.py compare \\
        test-results/screenshots-before test-results/screenshots-after

`record` runs every preset for real (`schedviz run --scenario ID`) and keeps what the page gets
besides events: the scenarios list, the asyncio source and the schema, from the same route
functions the server uses. `shoot` serves a frontend folder statically, plays the server's side
of /ws and /api/* with Playwright routes (hello with the run running, the events in batches cut
as the lab's flusher cuts them, every 30 ms of run time, then the run's status ended), waits
until the page has drawn every event and is still, and saves per preset:

- ID.png: the full page at a fixed viewport (1600x1000, device scale 1);
- ID.hover.json: the tooltip (text and position) and the highlighted source line at a fixed
  grid of points over the canvas (16 columns, a row every 5 px; pointermove events dispatched
  on the canvas, one frame each), so hit-testing and descriptions are compared too;
- ID.page.json: the timeline's data attributes, the summary, the banners, page errors.

`compare` checks two such folders pixel by pixel (a small PNG decoder, no Pillow needed),
writes a diff image for each picture that differs, lists differing hover points, and exits 1
if anything differs. Every run has ended before it is shown, so the page's clock is the run's
end: nothing on it depends on the browser's clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1600, "height": 1000}
# Batches as the lab's flusher makes them: one per 30 ms of run time (never more than the
# server's replay chunk), so the page takes them in as a live viewer does.
BATCH_NS = 30_000_000
MAX_BATCH = 2000
# The hover grid: columns across the canvas, a row every few CSS pixels down it.
HOVER_COLUMNS = 16
HOVER_ROW_PX = 5
# Consecutive unchanged looks (a few frames apart) before the page counts as still.
STILL_LOOKS = 3
TIMEOUT_MS = 120_000
# Added to the test suite's launch arguments (tests/chromium.py):
# - frames as fast as they are drawn rather than at 60 Hz: a hover is picked on the next frame,
#   so this is what makes a dense hover grid quick (pixels do not depend on it);
# - no partial raster: with it, Chromium re-rasters only the damaged part of a tile, and the
#   anti-aliased edges of rounded boxes (buttons, badges, the slider's thumb) came out a level
#   or two apart depending on which frames had damaged what, so the same page gave different
#   pixels from run to run.
EXTRA_ARGS = ["--disable-frame-rate-limit", "--disable-gpu-vsync", "--disable-partial-raster"]


# --------------------------------------------------------------------------------------------
# record


def _route_results() -> dict[str, Any]:
    """What the server answers on GET /api/scenarios, /api/source/asyncio and /api/schema,
    from the route functions of the app itself (nothing is served)."""
    from fastapi.routing import APIRoute

    from schedviz.web.app import create_app

    app = create_app()
    wanted = {"/api/scenarios": "scenarios", "/api/source/asyncio": "source-asyncio",
              "/api/schema": "schema"}
    found: dict[str, Any] = {}
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path in wanted and "GET" in route.methods:
            found[wanted[route.path]] = asyncio.run(route.endpoint())
    missing = set(wanted.values()) - set(found)
    if missing:
        raise SystemExit(f"record: the app has no route for {sorted(missing)}")
    return found


def cmd_record(args: argparse.Namespace) -> int:
    from schedviz import protocol, scenarios

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, value in _route_results().items():
        (out / f"{name}.json").write_text(json.dumps(value, indent=1) + "\n")
    ids = [s.id for s in scenarios.all_scenarios()]
    if args.only:
        ids = [i for i in ids if i in args.only]
    manifest: dict[str, Any] = {
        "schema_version": protocol.SCHEMA_VERSION,
        "backend_commit": _git(ROOT, "rev-parse", "HEAD"),
        "backend_changes": _git(ROOT, "status", "--porcelain", "--", "backend"),
        "python": sys.version.split()[0],
        "presets": {},
    }
    started = time.monotonic()
    for sid in ids:
        target = out / f"{sid}.jsonl"
        cmd = [sys.executable, "-m", "schedviz", "run", "--scenario", sid,
               "--events-out", str(target)]
        config = scenarios.get(sid).config
        capped = bool(args.cap_duration and config.arrival == "rate"
                      and config.duration_s > args.cap_duration)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            if capped:
                override = Path(tmp) / "override.json"
                override.write_text(json.dumps({"duration_s": args.cap_duration}))
                cmd += ["--config", str(override)]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        took = time.monotonic() - t0
        line = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        events = _read_events(target) if target.exists() else []
        ended = [e for e in events if e["kind"] == "run_ended"]
        manifest["presets"][sid] = {
            "events": len(events),
            "run_id": events[0].get("run_id") if events else None,
            "reason": ended[-1]["reason"] if ended else None,
            "seconds": round(took, 2),
            "capped_duration_s": args.cap_duration if capped else None,
            "exit_code": proc.returncode,
            "cli": line,
        }
        print(f"{sid:20} {len(events):7} events  {took:6.1f} s  exit {proc.returncode}  {line}",
              flush=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
    manifest["seconds"] = round(time.monotonic() - started, 1)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"recorded {len(ids)} presets in {manifest['seconds']} s into {out}")
    failed = [sid for sid, p in manifest["presets"].items()
              if p["exit_code"] != 0 or not p["events"]]
    return 1 if failed else 0


def _read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _git(where: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True,
                          check=False)
    return proc.stdout.strip()


# --------------------------------------------------------------------------------------------
# shoot


def batches(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive events cut every BATCH_NS of run time (by the newest t so far)."""
    out: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    window = 0
    newest = 0
    for ev in events:
        newest = max(newest, int(ev["t"]))
        if current and (newest // BATCH_NS != window or len(current) >= MAX_BATCH):
            out.append(current)
            current = []
        window = newest // BATCH_NS
        current.append(ev)
    if current:
        out.append(current)
    return out


# A signature of everything visible: the DOM as it stands, and the canvas pixels.
_SIGNATURE_JS = """async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const canvas = document.querySelector("canvas");
  const bytes = new TextEncoder().encode(document.body.outerHTML + "|" +
      (canvas ? canvas.width + "x" + canvas.height + canvas.toDataURL() : ""));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}"""

# Hover a grid of points over the canvas with real pointer events, one frame each (the view
# picks on its next frame), and read what the page shows for each.
_HOVER_JS = """async ({columns, rowPx}) => {
  const canvas = document.querySelector("#timeline canvas") || document.querySelector("canvas");
  const tip = document.getElementById("tooltip");
  const source = document.getElementById("source");
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const r = canvas.getBoundingClientRect();
  const w = Math.floor(r.width), h = Math.floor(r.height);
  const points = [];
  for (let y = Math.floor(rowPx / 2); y < h; y += rowPx) {
    for (let c = 0; c < columns; c++) points.push([Math.floor((c + 0.5) * w / columns), y]);
  }
  const out = [];
  for (const [x, y] of points) {
    canvas.dispatchEvent(new PointerEvent("pointermove", {
      bubbles: true, clientX: r.left + x, clientY: r.top + y, pointerId: 1, isPrimary: true,
      pointerType: "mouse"}));
    await frame();
    const shown = tip && !tip.hidden;
    const marked = source && !source.hidden
      ? [...source.querySelectorAll("[class*=highlight]")].map((e) => e.className + ": " +
          e.textContent) : [];
    out.push({x, y, tooltip: shown ? tip.innerText : null,
              at: shown ? [tip.style.left, tip.style.top] : null,
              source: marked.length ? marked : null});
  }
  canvas.dispatchEvent(new PointerEvent("pointerleave", {pointerId: 1, pointerType: "mouse"}));
  await frame();
  return {canvas: [w, h], points: out};
}"""

_PAGE_STATE_JS = """() => ({
  timeline: {...document.getElementById("timeline").dataset},
  summary: document.getElementById("summary").innerText,
  banners: [...document.querySelectorAll("#banners > *")].map((e) => e.innerText),
  toasts: [...document.querySelectorAll("#toasts > *")].map((e) => e.innerText),
  connection: document.getElementById("connection").innerText,
  size: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
})"""


class Replay:
    """Plays the server's side of /ws and /api/* for one page from recorded files."""

    def __init__(self, page: Any, base: str, events_dir: Path, events: list[dict[str, Any]],
                 schema_version: int) -> None:
        self.page = page
        self.events = events
        self.schema_version = schema_version
        self.sockets: list[Any] = []
        self.unexpected: list[str] = []
        self.pending = 0
        first = events[0]
        ended = [e for e in events if e["kind"] == "run_ended"]
        self.run_id = str(first.get("run_id"))
        base_status = {"run_id": self.run_id, "config": first.get("config", {}),
                       "lab_pid": None}
        self.running = {**base_status, "state": "running", "events": 0, "ended_reason": None}
        self.ended = {**base_status, "state": "ended", "events": len(events),
                      "ended_reason": ended[-1].get("reason") if ended else None}
        self.api = {
            "/api/scenarios": json.loads((events_dir / "scenarios.json").read_text()),
            "/api/source/asyncio": json.loads((events_dir / "source-asyncio.json").read_text()),
            "/api/schema": json.loads((events_dir / "schema.json").read_text()),
            "/api/runs/current": {"run": self.ended},
        }
        page.route(f"{base}/api/**", self._api)
        page.route_web_socket(f"{base.replace('http', 'ws')}/ws", self._accept)

    def _api(self, route: Any) -> None:
        request = route.request
        path = request.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        path = "/" + path
        if request.method == "GET" and path in self.api:
            route.fulfill(json=self.api[path])
        elif request.method == "GET" and re.fullmatch(r"/api/recordings/[^/]+/bookmarks", path):
            route.fulfill(json=[])  # the recorded runs were made without bookmarks
        else:
            self.unexpected.append(f"{request.method} {path}")
            route.fulfill(status=404, json={"detail": "not in the recording"})

    def _accept(self, ws: Any) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda m: self.unexpected.append(f"ws message {m}"))
        ws.send(json.dumps({"type": "hello", "schema_version": self.schema_version,
                            "run": self.running}))

    def play(self) -> int:
        """Send the run's events in batches, then its end; returns the number of batches."""
        ws = self.sockets[-1]
        parts = batches(self.events)
        for part in parts:
            ws.send(json.dumps({"type": "events", "run_id": self.run_id, "events": part},
                               separators=(",", ":")))
        ws.send(json.dumps({"type": "status", "run": self.ended}))
        return len(parts)


def _wait_still(page: Any) -> str:
    """Wait until neither the DOM nor the canvas changes over STILL_LOOKS looks."""
    page.evaluate("document.fonts.ready.then(() => true)")
    last = None
    same = 0
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while same < STILL_LOOKS:
        sig = page.evaluate(_SIGNATURE_JS)
        same = same + 1 if sig == last else 0
        last = sig
        if time.monotonic() > deadline:
            raise RuntimeError("the page did not settle")
    assert last is not None
    return str(last)


def shoot_one(browser: Any, base: str, events_dir: Path, sid: str, out: Path,
              schema_version: int, hover: bool) -> dict[str, Any]:
    events = _read_events(events_dir / f"{sid}.jsonl")
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1,
                                  color_scheme="light", reduced_motion="reduce",
                                  locale="en-US", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    replay = Replay(page, base, events_dir, events, schema_version)
    t0 = time.monotonic()
    page.goto(f"{base}/index.html")
    page.wait_for_function("document.getElementById('connection').dataset.state === 'open'")
    # The scenarios list is in the form before any event arrives.
    page.wait_for_function("document.querySelectorAll('#preset option').length > 1")
    n_batches = replay.play()
    page.wait_for_function(
        """(n) => { const d = document.getElementById('timeline').dataset;
                    return d.events === String(n) && d.runState === 'ended'; }""",
        arg=len(events))
    _wait_still(page)
    # Fit is the default for a new run; press it anyway (without moving the mouse over it).
    page.evaluate("document.getElementById('fit').click()")
    signature = _wait_still(page)
    page.screenshot(path=str(out / f"{sid}.png"), full_page=True, animations="disabled")
    state = page.evaluate(_PAGE_STATE_JS)
    hovered = page.evaluate(_HOVER_JS, {"columns": HOVER_COLUMNS, "rowPx": HOVER_ROW_PX}) \
        if hover else None
    # After hovering, the page must look as it did before (nothing left highlighted).
    after = _wait_still(page)
    took = time.monotonic() - t0
    context.close()
    info = {"id": sid, "events": len(events), "batches": n_batches, **state,
            "page_errors": errors, "console": console, "unexpected_requests": replay.unexpected,
            # Informative only: the source panel keeps the last hovered line highlighted.
            "same_after_hover": after == signature}
    (out / f"{sid}.page.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    if hovered is not None:
        (out / f"{sid}.hover.json").write_text(json.dumps(hovered, indent=0) + "\n")
    shown = sum(1 for p in hovered["points"] if p["tooltip"]) if hovered else 0
    total = len(hovered["points"]) if hovered else 0
    print(f"{sid:20} {len(events):7} events {n_batches:4} batches  page {state['size']}  "
          f"tooltips {shown}/{total}  {took:5.1f} s"
          + (f"  PAGE ERRORS {errors}" if errors else "")
          + (f"  unexpected {replay.unexpected}" if replay.unexpected else ""), flush=True)
    return info


def cmd_shoot(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "frontend")]
    from static_server import serve_frontend

    from chromium import launch_args

    frontend = Path(args.frontend).resolve()
    events_dir = Path(args.events).resolve()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not (frontend / "index.html").is_file():
        raise SystemExit(f"shoot: no index.html in {frontend}")
    manifest = json.loads((events_dir / "manifest.json").read_text())
    ids = [p.stem for p in sorted(events_dir.glob("*.jsonl"))]
    order = [s["id"] for s in json.loads((events_dir / "scenarios.json").read_text())]
    ids.sort(key=lambda i: order.index(i) if i in order else len(order))
    if args.only:
        ids = [i for i in ids if i in args.only]
    results = []
    with serve_frontend(frontend) as base, sync_playwright() as pw:
        launch = launch_args({"headless": True})
        launch["args"] = [*launch["args"], *EXTRA_ARGS]
        browser = pw.chromium.launch(**launch)
        try:
            for sid in ids:
                results.append(shoot_one(browser, base, events_dir, sid, out,
                                         int(manifest["schema_version"]), not args.no_hover))
        finally:
            browser.close()
    commit = _git(frontend, "rev-parse", "HEAD")
    dirty = _git(frontend, "status", "--porcelain", "--", ".")
    (out / "manifest.json").write_text(json.dumps({
        "frontend": str(frontend), "commit": commit, "uncommitted_changes": dirty.splitlines(),
        "events": str(events_dir), "viewport": VIEWPORT, "device_scale_factor": 1,
        "hover_grid": {"columns": HOVER_COLUMNS, "row_px": HOVER_ROW_PX},
        "presets": [r["id"] for r in results]}, indent=1) + "\n")
    bad = [r["id"] for r in results if r["page_errors"] or r["unexpected_requests"]]
    print(f"shot {len(results)} presets of {frontend} ({commit[:10]}"
          f"{', with uncommitted changes' if dirty else ''}) into {out}")
    if bad:
        print(f"page errors or unexpected requests in: {', '.join(bad)}")
    return 1 if bad else 0


# --------------------------------------------------------------------------------------------
# compare: a small PNG codec (8-bit greyscale / RGB / RGBA, not interlaced), enough for
# Chromium's screenshots and for writing diff images.


def read_png(path: Path) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows of raw pixel bytes)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos = 8
    idat = bytearray()
    width = height = bpp = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, type {ctype}, "
                                 f"interlace {interlace})")
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError(f"{path}: bad filter {ftype} in row {y}")
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def write_png(path: Path, width: int, height: int, rows: list[bytes]) -> None:
    """An RGB PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + r for r in rows)
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _rgba(px: bytes, bpp: int) -> tuple[int, int, int, int]:
    if bpp == 4:
        return px[0], px[1], px[2], px[3]
    if bpp == 3:
        return px[0], px[1], px[2], 255
    if bpp == 2:
        return px[0], px[0], px[0], px[1]
    return px[0], px[0], px[0], 255


def compare_png(before: Path, after: Path, diff_path: Path) -> dict[str, Any]:
    """Identical, or how many pixels differ and where; writes a diff image if any do."""
    if before.read_bytes() == after.read_bytes():
        return {"identical": True, "same_file": True}
    w1, h1, b1, rows1 = read_png(before)
    w2, h2, b2, rows2 = read_png(after)
    width, height = max(w1, w2), max(h1, h2)
    differing = 0
    box = [math.inf, math.inf, -1, -1]
    out_rows = []
    blank = bytes(4)
    for y in range(height):
        r1 = rows1[y] if y < h1 else b""
        r2 = rows2[y] if y < h2 else b""
        same_row = b1 == b2 and w1 == w2 and r1 == r2 and y < h1 and y < h2
        line = bytearray()
        for x in range(width):
            p1 = _rgba(r1[x * b1:(x + 1) * b1], b1) if y < h1 and x < w1 else None
            p2 = _rgba(r2[x * b2:(x + 1) * b2], b2) if y < h2 and x < w2 else None
            if same_row or (p1 is not None and p1 == p2):
                # Unchanged pixels, faded, so the changes stand out.
                g = sum((p1 or blank)[:3]) // 3
                v = 255 - (255 - g) // 4
                line += bytes((v, v, v))
                continue
            differing += 1
            box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
            line += b"\xff\x00\xff"
        out_rows.append(bytes(line))
    if differing == 0:
        return {"identical": True, "same_file": False}
    write_png(diff_path, width, height, out_rows)
    return {"identical": False, "pixels": differing, "of": width * height,
            "size_before": [w1, h1], "size_after": [w2, h2],
            "bbox": [int(box[0]), int(box[1]), int(box[2]), int(box[3])],
            "diff": str(diff_path)}


def compare_hover(before: Path, after: Path) -> list[dict[str, Any]]:
    a = json.loads(before.read_text())
    b = json.loads(after.read_text())
    diffs: list[dict[str, Any]] = []
    if a.get("canvas") != b.get("canvas"):
        diffs.append({"canvas": [a.get("canvas"), b.get("canvas")]})
    pa = {(p["x"], p["y"]): p for p in a["points"]}
    pb = {(p["x"], p["y"]): p for p in b["points"]}
    for key in sorted(set(pa) | set(pb), key=lambda k: (k[1], k[0])):
        if pa.get(key) != pb.get(key):
            diffs.append({"x": key[0], "y": key[1], "before": pa.get(key), "after": pb.get(key)})
    return diffs


_PAGE_KEYS = ("timeline", "summary", "banners", "toasts", "connection", "size", "page_errors",
              "unexpected_requests")


def cmd_compare(args: argparse.Namespace) -> int:
    before, after = Path(args.before), Path(args.after)
    diff_dir = Path(args.diff_dir) if args.diff_dir else after / "diff"
    ids = sorted({p.stem for p in before.glob("*.png")} | {p.stem for p in after.glob("*.png")})
    report: dict[str, Any] = {}
    any_diff = False
    for sid in ids:
        entry: dict[str, Any] = {}
        b_png, a_png = before / f"{sid}.png", after / f"{sid}.png"
        if not b_png.exists() or not a_png.exists():
            entry["png"] = {"identical": False, "missing": str(a_png if b_png.exists() else b_png)}
        else:
            diff_dir.mkdir(parents=True, exist_ok=True)
            entry["png"] = compare_png(b_png, a_png, diff_dir / f"{sid}.diff.png")
        b_hov, a_hov = before / f"{sid}.hover.json", after / f"{sid}.hover.json"
        if b_hov.exists() and a_hov.exists():
            entry["hover"] = compare_hover(b_hov, a_hov)
        elif b_hov.exists() or a_hov.exists():
            entry["hover"] = [{"missing": str(a_hov if b_hov.exists() else b_hov)}]
        b_page, a_page = before / f"{sid}.page.json", after / f"{sid}.page.json"
        if b_page.exists() and a_page.exists():
            pb, pa = json.loads(b_page.read_text()), json.loads(a_page.read_text())
            entry["page"] = {k: [pb.get(k), pa.get(k)] for k in _PAGE_KEYS
                             if pb.get(k) != pa.get(k)}
        differs = (not entry["png"]["identical"] or bool(entry.get("hover"))
                   or bool(entry.get("page")))
        any_diff |= differs
        report[sid] = entry
        png = entry["png"]
        if png["identical"]:
            what = "png identical"
        elif "missing" in png:
            what = f"png missing: {png['missing']}"
        else:
            what = (f"png DIFFERS: {png['pixels']} pixels in bbox {png['bbox']} "
                    f"(sizes {png['size_before']} -> {png['size_after']}), {png['diff']}")
        hover = entry.get("hover")
        hv = "no hover data" if hover is None else (
            "hover identical" if not hover else f"hover DIFFERS at {len(hover)} points")
        pg = "" if not entry.get("page") else f", page state DIFFERS in {sorted(entry['page'])}"
        print(f"{sid:20} {what}; {hv}{pg}")
        for d in (hover or [])[: args.show]:
            print(f"    {json.dumps(d)[:400]}")
    (diff_dir.parent if args.diff_dir else after).mkdir(parents=True, exist_ok=True)
    out = (Path(args.diff_dir) if args.diff_dir else after) / "compare.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"{len(ids)} presets: {'DIFFERENCES FOUND' if any_diff else 'all identical'} "
          f"(details in {out})")
    return 1 if any_diff else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run every preset and keep its events")
    rec.add_argument("--out", required=True, help="folder for ID.jsonl and the API answers")
    rec.add_argument("--only", nargs="*", help="preset ids (default: all)")
    rec.add_argument("--cap-duration", type=float, default=None,
                     help="cap duration_s of steady-rate presets (default: run them as they are)")
    rec.set_defaults(func=cmd_record)
    sh = sub.add_parser("shoot", help="replay recorded events into a frontend and screenshot it")
    sh.add_argument("--frontend", required=True, help="folder with index.html")
    sh.add_argument("--events", required=True, help="folder written by record")
    sh.add_argument("--out", required=True, help="folder for ID.png, ID.hover.json, ID.page.json")
    sh.add_argument("--only", nargs="*", help="preset ids (default: all recorded)")
    sh.add_argument("--no-hover", action="store_true", help="screenshots only")
    sh.set_defaults(func=cmd_shoot)
    cmp = sub.add_parser("compare", help="compare two shoot folders; exit 1 if they differ")
    cmp.add_argument("before")
    cmp.add_argument("after")
    cmp.add_argument("--diff-dir", help="where diff images go (default AFTER/diff)")
    cmp.add_argument("--show", type=int, default=5, help="differing hover points listed per preset")
    cmp.set_defaults(func=cmd_compare)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
