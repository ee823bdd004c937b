"""Lesson 7: asyncio: one thread, many coroutines, each running until it awaits."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "asyncio: one thread, many coroutines"


def observe(events: Events) -> list[Observation]:
    """What the loop ran (tasks, steps, yields), how little of the time, and no new threads."""
    sm.expect_run(events, TITLE, "asyncio", ("sleep", "echo", "gather"))
    steps = ob.loop_steps(events)
    if steps is None or not steps.steps:
        raise NotObservable("the event loop ran no step in this run")
    lifetime = ob.aio_lifetime(events)
    out = [
        Observation("aio_tasks", "asyncio tasks", steps.tasks, "",
                    "tasks the run created (the coroutines and the main one)"),
        Observation("steps", "Steps the loop ran", steps.steps, "",
                    "a step runs a task from one await to the next; nothing else runs meanwhile"),
        Observation("yields", "Yields at an await", steps.yields, "",
                    "steps that ended at an await, handing the loop to the next task"),
        Observation("threads_created", "Threads started for the tasks",
                    ob.threads_created(events), "",
                    "worker threads or processes any pool started: the loop ran every step"),
        Observation("loop_busy", "The loop ran steps for", sm.ms(steps.busy_ns), "ms",
                    f"the steps added up; it sat idle in select for "
                    f"{sm.ms(ob.loop_idle_ns(events))} ms, nothing ready"),
    ]
    if lifetime is not None:
        out.insert(0, Observation("wall", "Wall time of the tasks", sm.ms(lifetime), "ms",
                                  "from the first task created to the last one done"))
    cpu = ob.loop_cpu_ns(events)
    if cpu is not None:
        out.append(Observation("loop_cpu", "CPU time of the loop's thread", sm.ms(cpu), "ms",
                               "the one thread that ran every coroutine"))
    return out


LESSON = Lesson(
    id="asyncio",
    number=7,
    concept="asyncio: one thread, many coroutines yielding at awaits; an event loop, no extra "
            "threads",
    title=TITLE,
    explanation=(
        "asyncio is cooperative multitasking: many tasks take turns on a single thread, each "
        "yielding control at an await when it would wait (usually for I/O), so another can "
        "run. There are no extra threads for those turns, just the event loop, which runs "
        "one step of one task at a time and sits in select when nothing is ready. Here 8 "
        "coroutines each sleep three times: every step is a sliver on the loop's lane, every "
        "▾ a yield at an await. It interleaves thousands of I/O waits efficiently on one "
        "thread; it does not make CPU-bound work faster."
    ),
    prediction=(
        "8 coroutines each await asyncio.sleep three times: how many threads run them, how "
        "many steps does the loop run, and how long does it all take?"
    ),
    observe=observe,
    preset=RunConfig(executor="asyncio", workload="sleep", n_tasks=8, task_ms=100),
    knobs=("n_tasks", "task_ms"),
)
