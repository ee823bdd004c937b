"""The asyncio workloads: the coroutines an asyncio run executes, shown beside its timeline.

Each `async def` below is one workload; `run.n` is the config's n_tasks and `run.s` its
task_ms in seconds. Every `await` that can suspend is a yield point: the task's step ends
there and the loop runs someone else. The comments say what the timeline should show.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any


@dataclass
class Run:
    n: int  # n_tasks
    s: float  # task_ms / 1000
    name: Callable[[Any, str], Any]  # name a lock, semaphore or event for the timeline
    watch_queue: Callable[[Any, str], Any]  # show an asyncio.Queue's size on the timeline


async def start_all(prefix: str, count: int,
                    make: Callable[[int], Coroutine[Any, Any, Any]]) -> None:
    """Run `count` tasks named prefix-0, prefix-1, … at once and wait for all of them."""
    tasks = [asyncio.create_task(make(i), name=f"{prefix}-{i}") for i in range(count)]
    await asyncio.gather(*tasks)


# -- sleep: many coroutines, one thread -----------------------------------------------------

async def sleepers(run: Run) -> None:
    async def sleeper(i: int) -> None:
        for _ in range(3):
            await asyncio.sleep(run.s)  # yields: the loop runs the others, then sits idle

    await start_all("sleeper", run.n, sleeper)


# -- echo: a real TCP echo server on loopback and n clients ---------------------------------

async def echo(run: Run) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():  # waits for a socket read
            writer.write(line)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def client(i: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for k in range(4):
            writer.write(f"hello {i} {k}\n".encode())
            await writer.drain()
            await reader.readline()  # waits for the echo to come back
            await asyncio.sleep(run.s)
        writer.close()
        await writer.wait_closed()

    async with server:
        await start_all("client", run.n, client)


# -- blocking: one coroutine calls time.sleep and stops the whole loop -----------------------

async def ticker(run: Run, i: int) -> None:
    for _ in range(max(3, round(4 * run.s / 0.02))):
        await asyncio.sleep(0.02)  # a well-behaved task: wakes every 20 ms


async def blocking(run: Run) -> None:
    async def blocker(i: int) -> None:
        await asyncio.sleep(run.s)
        time.sleep(run.s)  # blocks the loop: no other task runs until it returns
        await asyncio.sleep(run.s)

    await asyncio.gather(start_all("blocker", 1, blocker),
                         start_all("ticker", max(1, run.n - 1), lambda i: ticker(run, i)))


# -- cpu: a coroutine that computes and never yields -----------------------------------------

async def cpu(run: Run) -> None:
    async def crunch(i: int) -> int:
        end = time.perf_counter() + run.s
        n = 0
        while time.perf_counter() < end:  # no await in here: it never yields
            n += 1
        return n

    await asyncio.gather(start_all("crunch", 1, crunch),
                         start_all("ticker", max(1, run.n - 1), lambda i: ticker(run, i)))


# -- cpu_work: the pools' CPU-bound tasks as coroutines (a comparison's asyncio run) ------------

async def cpu_work(run: Run) -> None:
    from schedviz.workloads import cpu_work as work  # the very function the pools run

    async def task(i: int) -> int:
        return work(i, run.s * 1000.0)  # no await: the loop runs one task at a time

    await start_all("work", run.n, task)


# -- gather: the same three waits one after another, then at once ---------------------------

async def fetch(delay: float) -> float:
    await asyncio.sleep(delay)  # stands for a request that takes `delay` seconds
    return delay


async def gather(run: Run) -> None:
    delays = [run.s * (k + 1) for k in range(3)]
    for d in delays:
        await fetch(d)  # sequential: each wait starts when the previous one ends
    await asyncio.gather(*(fetch(d) for d in delays))  # together: as long as the longest


# -- offload: CPU work in a thread pool, so the loop stays responsive ------------------------

def digest(mb: int) -> str:
    return hashlib.sha256(b"x" * (mb * 1024 * 1024)).hexdigest()  # releases the GIL


def spin(seconds: float) -> int:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


async def offload(run: Run) -> None:
    loop = asyncio.get_running_loop()

    async def worker(i: int) -> None:
        if i % 2:
            await loop.run_in_executor(None, digest, 32)  # waits for a pool thread
        else:
            await asyncio.to_thread(spin, run.s)  # the same, via to_thread

    await asyncio.gather(start_all("offload", run.n, worker),
                         start_all("ticker", 2, lambda i: ticker(run, i)))


# -- queue: producers and consumers, a lock, a semaphore and an event ------------------------

async def queue(run: Run) -> None:
    jobs: asyncio.Queue[int] = run.watch_queue(asyncio.Queue(maxsize=3), "jobs")
    lock = run.name(asyncio.Lock(), "log lock")
    slots = run.name(asyncio.Semaphore(2), "slots")
    go = run.name(asyncio.Event(), "go")

    async def producer(i: int) -> None:
        await go.wait()  # every producer waits for the start signal
        for k in range(4):
            await jobs.put(i * 100 + k)  # waits while the queue is full

    async def consumer(i: int) -> None:
        while True:
            job = await jobs.get()  # waits while the queue is empty
            async with slots:  # at most two consumers work at once
                await asyncio.sleep(run.s)
            async with lock:  # one at a time writes the log
                await asyncio.sleep(run.s / 10)
            jobs.task_done()
            del job

    consumers = [asyncio.create_task(consumer(i), name=f"consumer-{i}") for i in range(3)]
    producers = asyncio.create_task(start_all("producer", max(1, run.n // 3), producer),
                                    name="producers")
    await asyncio.sleep(run.s)
    go.set()
    await producers
    await jobs.join()
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)


WORKLOADS: dict[str, Callable[[Run], Coroutine[Any, Any, None]]] = {
    "sleep": sleepers, "echo": echo, "blocking": blocking, "cpu": cpu, "gather": gather,
    "offload": offload, "queue": queue, "cpu_work": cpu_work,
}
