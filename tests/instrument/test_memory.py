"""Memory samples come from /proc for real processes; a gone process gives no sample."""

from __future__ import annotations

import os
import subprocess
import sys

from schedviz.instrument.memory import MemorySampler, read_memory
from schedviz.instrument.recorder import Recorder


def test_reads_this_process_and_a_child() -> None:
    rss, uss = read_memory(os.getpid()) or (0, None)
    assert rss > 1_000_000 and (uss is None or 0 < uss <= rss)
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        mem = read_memory(child.pid)
        assert mem is not None and mem[0] > 0
    finally:
        child.communicate(b"")
    assert read_memory(child.pid) is None  # gone: no guess


def test_sampler_records_each_process_with_its_worker() -> None:
    rec = Recorder()
    sampler = MemorySampler(rec, lambda: {os.getpid(): None})
    sampler.sample()
    ((kind, _t, pid, worker, rss, _uss),) = rec.drain()
    assert (kind, pid, worker) == ("memory", os.getpid(), None) and rss > 0
