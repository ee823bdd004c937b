"""The program's `ThreadPoolExecutor` and `ProcessPoolExecutor` are the instrumented ones.

The rule: however the program names them (`concurrent.futures.ThreadPoolExecutor`, `from
concurrent.futures import ProcessPoolExecutor`, `concurrent.futures.thread…`), it gets a
subclass of the instrumented executor bound to the trace's recorder and id sources, with the
plain executor's signature. `concurrent.futures` resolves the two names lazily (a module
`__getattr__` imports the submodule on first use and caches the name as a global): setting
the attribute on the package first means that hook is never asked, and the submodules'
attributes are set too, so every spelling finds the traced class. Names the program bound
before the patch (an import done before the trace began, for the inline API) stay plain.
`concurrent.futures.wait` and `as_completed` (in the package and in `concurrent.futures._base`,
where they are defined) are instrument/futures.py's, which record the waits.

Guarantees:
- `install` patches the modules and `remove` puts back exactly what was there.
- The traced classes are subclasses of the plain ones (isinstance and issubclass keep
  working) and take the same arguments; process workers also sample their GIL when the
  sampler is available here.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures._base
import concurrent.futures.process
import concurrent.futures.thread
import threading
import weakref
from collections.abc import Callable
from typing import Any

from schedviz.instrument import futures
from schedviz.instrument.common import RunIds
from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

_MODULES = (concurrent.futures, concurrent.futures.thread, concurrent.futures.process)
_NAMES = ("ThreadPoolExecutor", "ProcessPoolExecutor")
#: the module functions that wait on futures, recorded
_WAITS = {"wait": futures.wait, "as_completed": futures.as_completed}


class Executors:
    """The traced executor classes of one trace, and the patch that puts them in place."""

    def __init__(self, recorder: Recorder, ids: RunIds, gil_period_us: int | None) -> None:
        self.process_pools: weakref.WeakSet[InstrumentedProcessPoolExecutor] = weakref.WeakSet()
        self._saved: list[tuple[object, str, object]] = []
        pools = self.process_pools
        lock = threading.Lock()

        class ThreadPoolExecutor(InstrumentedThreadPoolExecutor):
            """concurrent.futures.ThreadPoolExecutor, traced by schedviz."""

            def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                         initializer: Callable[..., object] | None = None,
                         initargs: tuple[Any, ...] = ()) -> None:
                super().__init__(max_workers, thread_name_prefix, initializer, initargs,
                                 recorder=recorder, ids=ids)

        class ProcessPoolExecutor(InstrumentedProcessPoolExecutor):
            """concurrent.futures.ProcessPoolExecutor, traced by schedviz."""

            def __init__(self, max_workers: int | None = None, mp_context: Any = None,
                         initializer: Callable[..., object] | None = None,
                         initargs: tuple[Any, ...] = (), *,
                         max_tasks_per_child: int | None = None) -> None:
                super().__init__(max_workers, mp_context, initializer, initargs,
                                 max_tasks_per_child=max_tasks_per_child, recorder=recorder,
                                 ids=ids, gil_period_us=gil_period_us)
                with lock:
                    pools.add(self)

        for cls in (ThreadPoolExecutor, ProcessPoolExecutor):
            cls.__module__ = "concurrent.futures"
            cls.__qualname__ = cls.__name__
        self.thread_pool = ThreadPoolExecutor
        self.process_pool = ProcessPoolExecutor

    def install(self) -> None:
        traced = {"ThreadPoolExecutor": self.thread_pool,
                  "ProcessPoolExecutor": self.process_pool}
        for module in _MODULES:
            for name in _NAMES:
                if name == "ProcessPoolExecutor" and module is concurrent.futures.thread:
                    continue
                if name == "ThreadPoolExecutor" and module is concurrent.futures.process:
                    continue
                self._saved.append((module, name, module.__dict__.get(name, _MISSING)))
                setattr(module, name, traced[name])
        for module in (concurrent.futures, concurrent.futures._base):
            for name, recorded in _WAITS.items():
                self._saved.append((module, name, module.__dict__.get(name, _MISSING)))
                setattr(module, name, recorded)

    def remove(self) -> None:
        for module, name, old in reversed(self._saved):
            if old is _MISSING:
                delattr(module, name)
            else:
                setattr(module, name, old)
        self._saved.clear()

    def worker_pids(self) -> dict[int, int]:
        """pid -> worker id of every live worker process of the program's process pools."""
        out: dict[int, int] = {}
        for pool in list(self.process_pools):
            out.update(pool.worker_pids())
        return out


_MISSING = object()
