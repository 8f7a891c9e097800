"""Simulated users for bench/bot_latency, in their own process so their work never shares the
bot's event loop: commands arrive at a steady rate (open loop), each timed to the bot's first
reply through the Bot API server's control API. Prints one JSON line of results at the end.

    python -m bench._bot_driver BASE_URL --users N --first ID --rate R --samples S CMD...
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time

from tests.botapi.remote import RemoteBotApi


async def one(remote: RemoteBotApi, user_id: int, text: str) -> float:
    """Send `text` as the user and wait for the bot's first reply; milliseconds."""
    mark = (await remote.messages(chat_id=user_id, after=10**12))["next"]
    started = time.perf_counter()
    await remote.send(user_id, text)
    found = await remote.messages(chat_id=user_id, after=mark, wait=30)
    if not found["messages"]:
        raise RuntimeError(f"no reply to {text!r} from user {user_id}")
    return (time.perf_counter() - started) * 1000


async def run(options: argparse.Namespace) -> dict[str, list[float]]:
    """`samples` commands at `rate` per second, each from a user not waiting for a reply."""
    results: dict[str, list[float]] = {}
    idle: asyncio.Queue[int] = asyncio.Queue()
    for user in range(options.first, options.first + options.users):
        idle.put_nowait(user)
    texts = itertools.cycle(options.commands)
    rng = random.Random(1)
    pending: set[asyncio.Task[None]] = set()

    async with RemoteBotApi(options.base_url) as remote:

        async def sample(user: int, text: str) -> None:
            try:
                results.setdefault(text, []).append(await one(remote, user, text))
            finally:
                idle.put_nowait(user)

        for _ in range(options.samples):
            user = await idle.get()
            task = asyncio.create_task(sample(user, next(texts)))
            pending.add(task)
            task.add_done_callback(pending.discard)
            # Exponential gaps: arrivals as independent users would make them.
            await asyncio.sleep(rng.expovariate(options.rate))
        if pending:
            await asyncio.gather(*pending)
    return results


def main() -> None:
    """Parse the command line, run, print the results as JSON."""
    p = argparse.ArgumentParser()
    p.add_argument("base_url")
    p.add_argument("--users", type=int, default=8)
    p.add_argument("--first", type=int, required=True)
    p.add_argument("--rate", type=float, default=5.0)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("commands", nargs="+")
    results = asyncio.run(run(p.parse_args()))
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
