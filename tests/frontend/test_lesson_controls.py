"""The course's page modules in Chromium: the address read and written (controls/urlstate.js),
the settings line's words (controls/runsettings.js), which run is which lesson's
(controls/lessonruns.js), the observed summary asked again while the server answers 409
(transport/lessons.js, against a scripted route) and the numbers as the class reads them."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, Route

from schedviz.protocol import RunConfig


def run(js: Page, module: str, body: str, arg: object = None) -> Any:
    """Evaluate an async function body with module `m` imported."""
    return js.evaluate(
        """async ({module, body, arg}) => {
            const m = await import(module);
            const fn = new Function('m', 'arg', `return (async () => { ${body} })();`);
            return fn(m, arg);
        }""",
        {"module": module, "body": body, "arg": arg},
    )


def test_the_address_gives_lesson_settings_and_presenter_and_refuses_what_is_out_of_range(
        js: Page) -> None:
    schema = RunConfig.model_json_schema()["properties"]
    low, high = schema["max_workers"]["minimum"], schema["max_workers"]["maximum"]
    got = run(js, "/controls/urlstate.js", "return m.readUrl(arg);",
              f"?lesson=threads-cpu&n_tasks=8&switch_interval_ms=1&presenter=1"
              f"&max_workers={high + 1}&executor=processes&zoom=3")
    assert got["lesson"] == "threads-cpu" and got["presenter"] is True
    assert got["settings"] == {"n_tasks": 8, "switch_interval_ms": 1, "executor": "processes"}
    assert got["problems"][0] == (f"max_workers={high + 1} is out of range: max_workers takes "
                                  f"{low}–{high}.")
    assert got["problems"][1].startswith("zoom is not a setting of this page (ignored)")
    assert len(got["problems"]) == 2
    bad = run(js, "/controls/urlstate.js", "return m.readUrl(arg).problems;",
              "?n_tasks=lots&presenter=2&workload=fibers")
    assert bad[0].startswith("n_tasks=lots is not a number: n_tasks takes 1–10000")
    assert bad[1] == "presenter=2 is not allowed: use presenter=1 (on) or presenter=0 (off)."
    assert bad[2].startswith("workload=fibers is not allowed: workload is one of sleep, cpu")


def test_the_address_written_keeps_only_what_differs_and_reads_back_the_same(js: Page) -> None:
    got = run(js, "/controls/urlstate.js", """
        const base = {n_tasks: 8, max_workers: 4, workload: 'cpu'};
        const search = m.writeUrl({lesson: 'threads-cpu', presenter: true, recording: null,
          settings: {n_tasks: 8, max_workers: 2, workload: 'cpu', nonsense: 1}, base});
        return {search, back: m.readUrl(search)};
    """)
    assert got["search"] == "?lesson=threads-cpu&max_workers=2&presenter=1"
    assert got["back"]["settings"] == {"max_workers": 2}
    assert got["back"]["problems"] == []


def test_the_settings_line_says_what_the_run_runs(js: Page) -> None:
    got = run(js, "/controls/runsettings.js", """
        return [
          m.describeConfig({executor: 'processes', start_method: 'spawn', workload: 'cpu',
            n_tasks: 10000, task_ms: 1, max_workers: 4, submit_mode: 'map', chunksize: 100,
            switch_interval_ms: 5}),
          m.describeConfig({executor: 'threads', workload: 'sleep', n_tasks: 1, task_ms: 100,
            max_workers: 3, arrival: 'rate', rate: 10, duration_s: 30, fail_every: 4}),
          m.describeConfig({program: '/home/me/examples/two_threads.py',
            argv: ['/home/me/examples/two_threads.py', '--fast']}),
          m.describeConfig(null),
        ];
    """)
    assert got == [
        "processes (spawn) · cpu · 10,000 tasks × 1 ms · max_workers 4 · map() chunksize 100",
        "threads · sleep · 1 task × 100 ms · 10/s for 30 s · max_workers 3 · 1 task in 4 raises",
        "schedviz trace two_threads.py --fast",
        "",
    ]


def test_a_lessons_run_is_the_next_run_that_appears_and_is_remembered(js: Page) -> None:
    got = run(js, "/controls/lessonruns.js", """
        const saved = new Map();
        const storage = {getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => saved.set(k, v)};
        let now = 0;
        const runs = new m.LessonRuns(storage, () => now);
        const before = runs.seen('older');          // nothing expected: not a lesson's run
        runs.expect('threads-io');
        const first = runs.seen('run-1');            // the expected run
        const second = runs.seen('run-2');           // the expectation was used up
        runs.expect('asyncio');
        runs.withdraw();                             // the start was refused
        const refused = runs.seen('run-3');
        runs.expect('asyncio');
        now += m.EXPECT_MS + 1;
        const late = runs.seen('run-4');             // too late to be the lesson's
        const again = new m.LessonRuns(storage, () => now);   // a reload
        return {before, first, second, refused, late, remembered: again.lessonOf('run-1'),
                unknown: again.lessonOf('run-2')};
    """)
    assert got == {"before": None, "first": "threads-io", "second": None, "refused": None,
                   "late": None, "remembered": "threads-io", "unknown": None}


def test_the_observed_summary_is_asked_again_while_the_recording_has_not_ended(
        js: Page, static_server: str) -> None:
    answers = [(409, {"detail": "recording r1 has not ended yet"})] * 2 + [
        (200, {"lesson": "l", "recording": "r1", "observations": [
            {"key": "wall", "label": "Wall time", "value": 1.5, "unit": "s", "detail": ""}]})]
    asked: list[str] = []

    def answer(route: Route) -> None:
        asked.append(route.request.url)
        status, body = answers[min(len(asked) - 1, len(answers) - 1)]
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    js.route(f"{static_server}/api/lessons/l/observed*", answer)
    got = run(js, "/transport/lessons.js", """
        const waits = [];
        const answer = await m.getObserved('l', 'r1', {wait: async (ms) => { waits.push(ms); }});
        return {answer, waits};
    """)
    assert len(asked) == 3 and asked[0].endswith("/api/lessons/l/observed?recording=r1")
    assert got["waits"] == [100, 200]
    assert got["answer"]["observations"][0]["key"] == "wall"


def test_a_refusal_other_than_409_is_passed_on_at_once_with_its_message(
        js: Page, static_server: str) -> None:
    asked: list[str] = []

    def answer(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=422, content_type="application/json",
                      body=json.dumps({"detail": "recording r2 cannot answer the lesson"}))

    js.route(f"{static_server}/api/lessons/l/observed*", answer)
    got = run(js, "/transport/lessons.js", """
        try { await m.getObserved('l', 'r2', {wait: async () => {}}); return null; }
        catch (err) { return [err.status, err.message]; }
    """)
    assert got == [422, "recording r2 cannot answer the lesson"]
    assert len(asked) == 1


def test_numbers_read_as_the_class_reads_them(js: Page) -> None:
    got = run(js, "/controls/lessonpanel.js", """
        return [m.formatObserved(2.9512, '×'), m.formatObserved(1208, 'ms'),
                m.formatObserved(12.345, 'ms'), m.formatObserved(97.6, '%'),
                m.formatObserved('task 0 → task 1', ''), m.formatObserved(10000, '')];
    """)
    assert got == ["2.95×", "1,208 ms", "12.3 ms", "97.6%", "task 0 → task 1", "10,000"]
