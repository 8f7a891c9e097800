"""Running Kabar's real sender against the local Bot API server, in-process or as a worker."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.sender import Sender, build_sender
from kabar.config import Settings, load_settings
from kabar.db import Database
from kabar.db.models import Chat, Outbox, OutboxStatus
from tests.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]


def sender_settings(server: BotApiServer, db: Database, **values: Any) -> Settings:
    """Settings pointing the sender at `server` and `db` (values: KABAR_... overrides)."""
    base: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_URL": server.base_url,
        "DATABASE_URL": db.url,
        "KABAR_SEND_RATE": 200,
        "KABAR_SEND_TIMEOUT": 2.0,
        "KABAR_SEND_RETRY_SECONDS": 0.05,
    }
    base.update(values)
    return load_settings(_env_file=None, **base)


async def open_count(db: Database) -> int:
    """Rows not finished yet."""
    async with db.session() as session:
        n = await session.scalar(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
        )
        return int(n or 0)


async def statuses(db: Database) -> dict[str, int]:
    """Rows by status."""
    async with db.session() as session:
        rows = await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {str(s): int(n) for s, n in rows}


async def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll an async `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(server: BotApiServer, db: Database, **values: Any) -> AsyncIterator[Sender]:
    """The real sender running in this event loop until the block ends.

    KABAR_... keywords are settings; the others override DispatchConfig fields.
    """
    settings = sender_settings(
        server, db, **{k: v for k, v in values.items() if k.startswith("KABAR_")}
    )
    overrides: dict[str, Any] = {"poll_interval": 0.05, "pause_cap": 0.5}
    overrides.update({k: v for k, v in values.items() if not k.startswith("KABAR_")})
    sender = build_sender(db, settings, **overrides)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def drain(server: BotApiServer, db: Database, timeout: float = 30.0, **values: Any) -> Sender:
    """Run the sender until no row is open."""
    async with running(server, db, **values) as sender:

        async def done() -> bool:
            return await open_count(db) == 0

        await wait_for(done, timeout, "the outbox to drain")
    return sender


async def telegram_chats(db: Database) -> dict[int, int]:
    """Chat.id -> telegram id."""
    async with db.session() as session:
        return {int(i): int(t) for i, t in await session.execute(select(Chat.id, Chat.telegram_id))}


def worker_env(server_base_url: str, token: str, db_url: str, **values: str) -> dict[str, str]:
    """The environment of a `kabar run --role worker` subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KABAR_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=server_base_url,
        DATABASE_URL=db_url,
        KABAR_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(values)
    return env


def kabar_command() -> list[str]:
    """How to start the `kabar` command installed in this checkout's environment."""
    return [str(Path(sys.executable).with_name("kabar"))]
