"""asyncio: one thread, many coroutines, each yielding at its awaits; an event loop, no extra
threads. Three coroutines that each wait three times take as long as the longest one.

    python examples/asyncio_gather.py
    schedviz trace examples/asyncio_gather.py
"""

import asyncio


async def fetch(name: str, delay: float) -> str:
    for part in range(3):
        await asyncio.sleep(delay)  # a yield point: the loop runs another coroutine meanwhile
        print(f"{name}: part {part + 1} of 3")
    return f"{name} done"


async def main() -> None:
    results = await asyncio.gather(fetch("a", 0.05), fetch("b", 0.03), fetch("c", 0.02))
    print(", ".join(results))


if __name__ == "__main__":
    asyncio.run(main())
