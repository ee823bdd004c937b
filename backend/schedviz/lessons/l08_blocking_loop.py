"""Lesson 8: blocking the event loop: a step that does not await stops every other task."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig, plain_number

TITLE = "Blocking the event loop"


def observe(events: Events) -> list[Observation]:
    """The longest step that blocked the loop, and how long the tickers waited meanwhile."""
    config = sm.expect_run(events, TITLE, "asyncio", ("blocking", "cpu"))
    block = ob.longest_block(events)
    if block is None:
        raise NotObservable(f"no step blocked the loop longer than the slow-step threshold "
                            f"({plain_number(config.get('slow_step_ms'))} ms) in this run")
    names = ob.task_names(events)
    where = f"{block['file'].rsplit('/', 1)[-1]}:{block['line']}" if block["file"] else "?"
    out = [
        Observation("longest_block", "Longest step that blocked the loop",
                    sm.ms(block["dur_ns"]), "ms",
                    f"{names.get(block['task'], 'a task')} at {where}: "
                    f"{block['source'].split('#')[0].strip()}"),
        Observation("blocked_steps", "Steps that blocked the loop",
                    sum(1 for e in events if e["kind"] == "aio_blocked" and not e["ongoing"]),
                    "", f"steps longer than the slow-step threshold "
                        f"({plain_number(config.get('slow_step_ms'))} ms)"),
    ]
    gap = ob.longest_wait_between_steps(events, "ticker")
    if gap is not None:
        out.append(Observation("ticker_wait", "Longest wait of a ticker", sm.ms(gap), "ms",
                               "from a ticker's step to its next: it asked to wake after "
                               "20 ms"))
    cpu = ob.loop_cpu_ns(events)
    if cpu is not None:
        out.append(Observation("loop_cpu", "CPU time of the loop's thread", sm.ms(cpu), "ms",
                               "time.sleep blocks without using the CPU; a loop that "
                               "computes uses it all"))
    return out


LESSON = Lesson(
    id="blocking-loop",
    number=8,
    concept="Blocking the event loop",
    title=TITLE,
    explanation=(
        "Cooperative means a task runs until it yields: a task must either finish or await "
        "before another can run. One coroutine here calls time.sleep(0.3) instead of await "
        "asyncio.sleep(0.3): a blocking call, so it never yields, and for 300 ms the loop "
        "runs nothing else. The tickers, which ask to wake every 20 ms, all wait. The step "
        "is outlined red, 'blocked the loop', with its line. Blocking calls belong in a "
        "thread (asyncio.to_thread) or an await of their asyncio version; a long computation "
        "(workload cpu) blocks the loop the same way."
    ),
    prediction=(
        "Tickers wake every 20 ms while one coroutine calls time.sleep(0.3): what is the "
        "longest a ticker waits, and how much CPU does the loop use while it is blocked?"
    ),
    observe=observe,
    preset=RunConfig(executor="asyncio", workload="blocking", n_tasks=4, task_ms=300),
    knobs=("task_ms", "n_tasks", "slow_step_ms", "workload"),
)
