"""A step yields at the innermost user code of its await chain, awaiting the library call below.

What it awaits is the first library awaitable under that code (`sleep(0.1)`,
`StreamReader.read`, `Queue.get`, a Future). User code is code outside the standard library
and schedviz.instrument, decided once per code object. The chain is walked by code objects
(cr_code, gi_code), not frames: asking for a frame makes one, and asyncio.sleep makes a new
coroutine and generator every call; frames are asked for only where needed, at the end. What
is awaited comes back as a code object, a ("sleep", delay) pair, a type or a string, and
becomes words in `describe`, which the flusher calls.

The C step timer (`schedviz._aiostep`) walks the chain the same way, configured with
`is_user_code`, SYNC_CODE_OBJECTS and SLEEP_CODE (see steps.py), and asks `sync_what` (through
the Instrument) for the object a Queue.get, Lock.acquire, … waits on.
"""

from __future__ import annotations

import asyncio
import linecache
import os
import sysconfig
import weakref
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from schedviz.instrument.aio.steps import Instrument

T = TypeVar("T")

_LIBRARY = tuple(
    os.path.normcase(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
#: schedviz's own instrumentation (a pool's submit, say) is not the user's code either
_INSTRUMENT = os.path.normcase(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_INSTRUMENT += os.sep  # (this file is in its aio/ package)
SLEEP_CODE = asyncio.sleep.__code__

#: id(code) -> (code, is user code): not the standard library, not schedviz.instrument. By id:
#: hashing a code object hashes its bytecode and constants each time; the code is kept so that
#: its id is not reused.
_user_ids: dict[int, tuple[CodeType, bool]] = {}
#: awaitable code names that wait on a synchronisation object, by kind shown to the user
_SYNC_CODES = {
    "Queue.get": "queue", "Queue.put": "queue", "Lock.acquire": "lock",
    "Semaphore.acquire": "semaphore", "BoundedSemaphore.acquire": "semaphore",
    "Event.wait": "event", "Condition.wait": "condition", "Queue.join": "queue",
}
SYNC_CODE_OBJECTS = {
    asyncio.Queue.get.__code__, asyncio.Queue.put.__code__, asyncio.Lock.acquire.__code__,
    asyncio.Semaphore.acquire.__code__, asyncio.Event.wait.__code__,
    asyncio.Condition.wait.__code__, asyncio.Queue.join.__code__,
}
_SYNC_IDS = {id(c) for c in SYNC_CODE_OBJECTS}
#: what a library coroutine waits for, in the user's words
_WAIT_WORDS = {
    "StreamReader.read": "a socket read", "StreamReader.readline": "a socket read",
    "StreamReader.readexactly": "a socket read", "StreamReader.readuntil": "a socket read",
    "StreamReader._wait_for_data": "a socket read", "StreamWriter.drain": "a socket write",
    "BaseEventLoop.sock_recv": "a socket read", "BaseEventLoop.sock_sendall": "a socket write",
    "open_connection": "a TCP connect", "BaseEventLoop.create_connection": "a TCP connect",
    "wait_for": "wait_for", "wait": "asyncio.wait", "Queue.get": "Queue.get",
    "Queue.put": "Queue.put", "Lock.acquire": "Lock.acquire",
    "Semaphore.acquire": "Semaphore.acquire", "Event.wait": "Event.wait",
    "Condition.wait": "Condition.wait", "to_thread": "to_thread", "Queue.join": "Queue.join",
}


def is_user_code(code: CodeType) -> bool:
    """True for code outside the standard library and schedviz.instrument (cached)."""
    known = _user_ids.get(id(code))
    if known is None:
        path = os.path.normcase(os.path.abspath(code.co_filename))
        user = not (path.startswith(_LIBRARY) or path.startswith(_INSTRUMENT)
                    or code.co_filename.startswith("<frozen"))
        known = _user_ids[id(code)] = (code, user)
    return known[1]


def source_line(filename: str, line: int) -> str:
    """The text of one source line, stripped, or "" when it cannot be read."""
    return linecache.getline(filename, line).strip()


class Names:
    """Names for synchronisation objects (queues, locks, ...), given by the workload."""

    def __init__(self) -> None:
        self._names: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()

    def name(self, obj: T, name: str) -> T:
        self._names[obj] = name
        return obj

    def of(self, obj: object) -> str | None:
        try:
            return self._names.get(obj)
        except TypeError:
            return None


def _frame_of(aw: Any) -> FrameType | None:
    """The frame of a coroutine or generator (None once it has finished)."""
    return aw.cr_frame if type(aw) is CoroutineType else aw.gi_frame


def where(inst: Instrument, coro: Any) -> tuple[str | None, int | None, object, str | None]:
    """The yield site (file, line), what is awaited, and the sync object it waits on.

    `inst` is the loop's Instrument: its step state says whether this step called
    run_in_executor or set asyncio.sleep's timer.
    """
    frame = coro.cr_frame
    if frame is None:
        return None, None, "", None
    user_aw: Any = coro
    aw = coro.cr_await
    lib: CodeType | None = None
    sync: Any = None  # the awaitable of a Queue.get, Lock.acquire, … under `lib`
    leaf: object = None
    while aw is not None:
        kind = type(aw)
        if kind is CoroutineType:
            code, aw_next = aw.cr_code, aw.cr_await
        elif kind is GeneratorType:
            code, aw_next = aw.gi_code, aw.gi_yieldfrom
        else:
            leaf = aw
            break
        if lib is None:
            if is_user_code(code):
                user_aw = aw
            else:
                lib = code
        if sync is None and id(code) in _SYNC_IDS:
            sync = aw  # the outermost: Queue.join, not the Event it waits on inside
        aw = aw_next
    user = frame if user_aw is coro else _frame_of(user_aw) or frame
    what: object = "the loop (a bare yield)"
    waits_on = None
    sync_frame = _frame_of(sync) if sync is not None else None
    if inst.offload_at == inst.step_t0 and leaf is not None:
        # This step called run_in_executor (or to_thread) and now awaits a future: the
        # pool task's. (Awaiting a future shows only its iterator, hence the stamp.)
        what = inst.offload_what()
    elif sync_frame is not None:  # `async with lock:` awaits Lock.acquire under __aenter__
        what, waits_on = sync_what(inst.names, sync_frame)
    elif lib is not None:
        what = lib
        if lib is SLEEP_CODE:
            # asyncio.sleep(d > 0) set a timer in this very step: its delay is the last
            # call_later's; sleep(0) sets none.
            what = ("sleep", inst.delay if inst.delay_at == inst.step_t0 else 0)
    elif leaf is not None:
        what = type(leaf)
    return user.f_code.co_filename, user.f_lineno, what, waits_on


def sync_what(names: Names, frame: FrameType) -> tuple[object, str]:
    """What a step waits for inside a Queue.get, Lock.acquire, …, and on which object."""
    code = frame.f_code
    obj = frame.f_locals.get("self")
    name = names.of(obj) if obj is not None else None
    kind = _SYNC_CODES[code.co_qualname]
    return code, (f"{kind} {name}" if name else f"an unnamed {kind}")


def task_name(task: object) -> str:
    """A task's name for its aio_task event (the flusher calls this)."""
    get_name = getattr(task, "get_name", None)
    return str(get_name()) if get_name is not None else str(task)


def describe(what: object) -> str:
    """What a step awaited, in words (the flusher calls this, not the hot path)."""
    if isinstance(what, str):
        return what
    if isinstance(what, tuple):
        return f"sleep({what[1]:g})" if isinstance(what[1], float) else f"sleep({what[1]})"
    if isinstance(what, CodeType):
        qual = what.co_qualname
        return _WAIT_WORDS.get(qual, qual)
    if isinstance(what, type):
        # Awaiting a Future shows only its iterator (FutureIter in C, a generator in Python).
        name = "Future" if what.__name__ in ("FutureIter", "generator") else what.__name__
        return f"a {name}"
    return str(what)
