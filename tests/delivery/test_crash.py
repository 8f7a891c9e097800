"""SIGKILL the worker at random points of a broadcast to 2,000 chats, ten times, restarting it.

The worker is the real `kabar run --role worker` in its own process, sending to the local Bot API
server running in this test. Afterwards every chat must have the broadcast exactly once, except
at most one message per kill: the one in flight when the process died (sent, but the process
never learnt it was, so its successor sends it again). The test counts and prints both.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kabar import broadcast
from kabar.db import Database
from kabar.db.models import Chat
from tests.botapi import BotApiServer, LimitConfig
from tests.delivery import factory
from tests.delivery.harness import kabar_command, open_count, statuses, worker_env

CHATS = 2000
KILLS = 10
FIRST_ID = 100_000


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *kabar_command(), "run", "--role", "worker", env=env, stdout=out, stderr=out
        )


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


async def _until(check: Any, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; worker log:\n{_tail(log)}")
        await asyncio.sleep(0.005)


@pytest.mark.slow
async def test_sigkill_at_random_points_loses_nothing_and_doubles_at_most_one_per_kill(
    db_url: str, botapi_factory: Any, tmp_path: Path
) -> None:
    # The server enforces limits above the worker's rate: a 429 here would be a pacing bug.
    limits = LimitConfig(enabled=True, global_rate=300, global_burst=30)
    server: BotApiServer = await botapi_factory(limits=limits, auto_users=True, lean=True)
    db = Database(db_url)
    try:
        await factory.chats(db, CHATS, first_telegram_id=FIRST_ID)
        bid = await broadcast.create(db, "<b>Pengumuman</b>: siaran uji ketahanan.")
        assert await broadcast.queue(db, bid) == CHATS
        env = worker_env(
            server.base_url,
            server.token,
            db_url,
            KABAR_SEND_RATE="200",
            KABAR_SEND_MAX_IN_FLIGHT="1",  # one request outstanding: at most one lost track of
        )
        seed = random.randrange(1_000_000)
        rng = random.Random(seed)
        targets = sorted(rng.sample(range(20, CHATS - 100), KILLS))
        log = tmp_path / "worker.log"
        sent = lambda: server.counters.sent  # noqa: E731
        for target in targets:
            worker = await _start(env, log)
            await _until(lambda t=target: sent() >= t, 120, f"{target} messages out", log)
            # A random moment after the target: mid-request, mid-commit or between the two.
            await asyncio.sleep(rng.uniform(0, 0.02))
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
        worker = await _start(env, log)
        try:

            async def drained() -> bool:
                return await open_count(db) == 0

            deadline = time.monotonic() + 180
            while not await drained():
                assert time.monotonic() < deadline, _tail(log)
                await asyncio.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), 30)
        async with db.session() as session:
            telegram_ids = list(await session.scalars(select(Chat.telegram_id)))
        chats = server.api.world.chats
        counts = [chats[t].sent if t in chats else 0 for t in telegram_ids]
        duplicates = sum(c - 1 for c in counts if c > 1)
        missing = sum(1 for c in counts if c == 0)
        print(
            f"\ncrash test (seed {seed}, {db.dialect}): {KILLS} kills at {targets}; "
            f"{CHATS} chats, {sum(counts)} messages, {missing} missing, {duplicates} doubled; "
            f"429s: {server.counters.too_many_requests}"
        )
        assert missing == 0
        assert duplicates <= KILLS
        assert all(c in (1, 2) for c in counts)
        assert await statuses(db) == {"sent": CHATS}
        assert server.counters.too_many_requests == 0
    finally:
        await db.dispose()
