"""The whole page against a scripted server: the websocket and the HTTP API are played by the
test, so states that are hard to provoke from a real lab (dropped events, refused messages, a
lost connection, 10,000 tasks) are checked deterministically."""

from __future__ import annotations

import json

from fakeserver import FakeServer, sent_messages, shot, status
from playwright.sync_api import Page, expect
from probe import marker_texts
from synthetic_processes import process_run
from synthetic_runs import MS, batch, batches, simulate


def test_events_fill_the_summary_and_data_attributes(fake: FakeServer, page: Page) -> None:
    run = batch(12, 3, fail_every=4)
    fake.send(status(run.run_id))
    for b in batches(run.events, 10):
        fake.send({"type": "events", "run_id": run.run_id, "events": b})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-finished", "12")
    expect(timeline).to_have_attribute("data-errors", "3")
    expect(timeline).to_have_attribute("data-lanes", "3")
    expect(timeline).to_have_attribute("data-active-lanes", "0")
    expect(timeline).to_have_attribute("data-total", "12")
    expect(timeline).to_have_attribute("data-run-state", "ended")
    expect(timeline).to_have_attribute("data-run-id", run.run_id)
    expect(page.locator("#summary-text")).to_contain_text("3 raised")


def test_a_new_run_clears_the_old_one_at_once(fake: FakeServer, page: Page) -> None:
    old = batch(12, 3, run_id="old")
    fake.send({"type": "events", "run_id": "old", "events": old.events})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-finished", "12")
    fake.send(status("new"))
    expect(timeline).to_have_attribute("data-run-id", "new")
    expect(timeline).to_have_attribute("data-finished", "0")
    expect(timeline).to_have_attribute("data-run-state", "running")
    expect(page.locator("#stop")).to_be_enabled()


def test_server_errors_and_dropped_events_are_shown(fake: FakeServer, page: Page) -> None:
    run = batch(4, 2)
    fake.send({"type": "events", "run_id": run.run_id, "events": run.events[:5]})
    fake.send({"type": "dropped", "run_id": run.run_id, "count": 17})
    fake.send({"type": "error", "message": "max_workers must be between 1 and 64; got 99",
               "field": "max_workers"})
    fake.send({"type": "events", "run_id": run.run_id, "events": [
        {"seq": 1000, "t": 5 * MS, "kind": "error", "message": "the lab crashed"},
        {"seq": 1001, "t": 6 * MS, "kind": "run_ended", "reason": "error",
         "message": "lab exited with code 1"},
    ]})
    expect(page.locator(".banner", has_text="17 events were not received")).to_be_visible()
    expect(page.locator(".banner.error", has_text="got 99")).to_be_visible()
    expect(page.locator(".banner.error", has_text="lab exited with code 1")).to_be_visible()
    slider_field = page.locator("#max_workers").locator("xpath=..")
    expect(slider_field).to_have_class("field field-slider invalid")
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-dropped", "17")
    expect(timeline).to_have_attribute("data-error-events", "2")
    expect(page.locator(".run-state")).to_have_text("ended · error")
    shot(page, "page-errors")


def test_buttons_and_slider_send_control_messages(fake: FakeServer, page: Page) -> None:
    page.select_option("#preset", "demo")
    expect(page.locator("#n_tasks")).to_have_value("7")
    expect(page.locator("#max_workers_value")).to_have_text("5")
    expect(page.locator("#scenario-description")).to_have_text("A preset for tests.")
    page.click("#run")
    start = sent_messages(page, "start")[0]
    assert start["config"]["workload"] == "cpu" and start["config"]["n_tasks"] == 7
    assert start["config"]["max_workers"] == 5

    # While running, slider moves are debounced into one `set`.
    run = simulate([2_000], 500 * MS, [(0, 5)], run_id="live")
    fake.send(status("live"))
    fake.send({"type": "events", "run_id": "live", "events": run.events[:4]})
    expect(page.locator("#stop")).to_be_enabled()
    # Three moves in one go, as a drag fires them: far quicker than the debounce.
    page.eval_on_selector("#max_workers", """el => { for (const v of [6, 7, 8]) {
        el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); } }""")
    assert sent_messages(page, "set") == [{"type": "set", "max_workers": 8}]
    page.click("#stop")
    assert sent_messages(page, "stop") == [{"type": "stop"}]
    # The first two went through the socket to the server long before; the fake saw them.
    assert [m["type"] for m in fake.received][:2] == ["start", "set"]


def test_reconnect_replays_without_double_counting(fake: FakeServer, page: Page) -> None:
    run = batch(12, 3)
    fake.run = {"run_id": run.run_id, "state": "ended", "config": {}}
    fake.send({"type": "events", "run_id": run.run_id, "events": run.events})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-finished", "12")
    # On reconnect the server replays the whole run, as the real one does.
    fake.on_connect = lambda ws: ws.send(
        json.dumps({"type": "events", "run_id": run.run_id, "events": run.events}))
    fake.sockets[-1].close()
    expect(page.locator("#connection")).to_have_attribute("data-state", "waiting")
    expect(page.locator("#connection")).to_contain_text("retrying")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=10_000)
    page.wait_for_function(
        f"window.schedviz.store.duplicates >= {len(run.events)}", timeout=10_000)
    expect(timeline).to_have_attribute("data-finished", "12")
    expect(timeline).to_have_attribute("data-events", str(len(run.events)))


def test_ten_thousand_tasks_on_many_workers(fake: FakeServer, page: Page) -> None:
    submits = [2_000 + 300_000 * i for i in range(10_000)]
    run = simulate(submits, 20 * MS, [(0, 16), (1_000 * MS, 48)], fail_every=97)
    assert len(run.events) > 30_000
    fake.send(status(run.run_id))
    for b in batches(run.events, 500):
        fake.send({"type": "events", "run_id": run.run_id, "events": b})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-finished", "10000", timeout=30_000)
    expect(timeline).to_have_attribute("data-lanes", "64")
    expect(timeline).to_have_attribute("data-markers", "1")
    shot(page, "page-10k-tasks")


def test_process_presets_reveal_the_process_settings(fake: FakeServer, page: Page) -> None:
    details = page.locator("details.advanced")
    kill = page.locator("#kill_every")
    expect(kill).to_be_disabled()  # threads: the server would refuse it
    page.select_option("#preset", "proc")
    expect(page.locator("#executor")).to_have_value("processes")
    expect(details).to_have_attribute("open", "")
    expect(kill).to_be_enabled()
    expect(kill).to_have_value("3")
    expect(page.locator("#chunksize")).to_have_value("8")
    expect(page.locator("#submit_mode")).to_have_value("map")
    # Back to a thread preset: its missing v2 fields fall back to the defaults.
    page.select_option("#preset", "demo")
    expect(page.locator("#executor")).to_have_value("threads")
    expect(page.locator("#chunksize")).to_have_value("1")
    expect(kill).to_be_disabled()
    page.click("#run")
    config = sent_messages(page, "start")[0]["config"]
    assert config["executor"] == "threads" and config["kill_every"] == 0
    assert config["submit_mode"] == "submit"


def test_a_process_run_with_a_live_chunksize_change(fake: FakeServer, page: Page) -> None:
    run = process_run(n_items=24, chunksize=4, workers=3, kill_chunk=4)
    change = {"seq": len(run.events), "t": 30 * MS, "kind": "config_changed",
              "field": "chunksize", "old": 4, "new": 16}
    fake.run = {"run_id": run.run_id, "state": "ended", "config": {}}
    for b in batches([*run.events, change], 50):
        fake.send({"type": "events", "run_id": run.run_id, "events": b})
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-chunks", "6")
    expect(timeline).to_have_attribute("data-items", "24")
    expect(timeline).to_have_attribute("data-maps", "1")
    expect(timeline).to_have_attribute("data-pools-broken", "1")
    expect(timeline).to_have_attribute("data-failed-exits", "3")
    expect(timeline).to_have_attribute("data-markers", "1")
    assert int(timeline.get_attribute("data-memory-samples") or 0) > 0
    # The chunksize marker's label reads like the max_workers one.
    placed = marker_texts(page)
    assert "chunksize 4 → 16" in placed and "pool 0 broken · exit 1" in placed
    shot(page, "page-process-run")
