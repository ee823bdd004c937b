"""100,000 asyncio.sleep(0) steps in 100 tasks on one event loop; prints its own time."""

import asyncio
import json
import time


async def stepper() -> None:
    for _ in range(1000):
        await asyncio.sleep(0)


async def main() -> None:
    await asyncio.gather(*(stepper() for _ in range(100)))


if __name__ == "__main__":
    t0 = time.perf_counter()
    asyncio.run(main())
    print(json.dumps({"s": time.perf_counter() - t0}))
