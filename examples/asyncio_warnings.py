"""Mistakes asyncio tells you about: a coroutine that is never awaited, and a task whose
exception is never retrieved. Under `schedviz trace` both appear as markers on the timeline at
the lines below.

    python -X dev examples/asyncio_warnings.py
    schedviz trace examples/asyncio_warnings.py
"""

import asyncio
import gc


async def tick() -> None:
    await asyncio.sleep(0.01)


async def fail() -> None:
    raise ValueError("nobody looks at this")


async def main() -> None:
    tick()  # never awaited: a RuntimeWarning when the coroutine is garbage collected
    task = asyncio.create_task(fail())
    await asyncio.sleep(0.05)
    del task  # its exception was never retrieved: logged when the task is garbage collected
    gc.collect()
    await asyncio.sleep(0.01)
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
