"""The real Kabar application against the local Bot API server, driven as users would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kabar.cli import serve
from kabar.config import Settings
from kabar.db import Database
from kabar.db.migrate import upgrade
from tests.botapi.server import BotApiServer

ADMIN_ID = 900_001


@dataclass
class Kabar:
    """A running `kabar run` (in this process) and handles to drive and inspect it."""

    botapi: BotApiServer
    settings: Settings
    db: Database
    role: str = "bot"
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> Kabar:
        """Start serving and wait until the bot polls for updates."""
        self._stop = asyncio.Event()
        before = self.botapi.counters.requests.get("getUpdates", 0)
        self._task = asyncio.create_task(serve(self.settings, self.role, self._stop))
        await self.botapi.wait_for(
            lambda: self._failed() or self.botapi.counters.requests.get("getUpdates", 0) > before,
            timeout=15,
            what="the bot to poll",
        )
        return self

    def _failed(self) -> bool:
        if self._task is not None and self._task.done():
            self._task.result()  # raise what made serve() end
        return False

    async def stop(self) -> None:
        """Stop serving, as SIGTERM would."""
        if self._task is None:
            return
        self._stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, timeout=20)
        self._task = None


def make_settings(botapi: BotApiServer, database_url: str, **extra: Any) -> Settings:
    """Settings for a test: the local server, its token, one admin, no .env file."""
    values: dict[str, Any] = {
        "telegram_bot_token": botapi.token,
        "telegram_api_url": botapi.base_url,
        "database_url": database_url,
        "admins": frozenset({ADMIN_ID}),
        "timezone": "Asia/Jakarta",
        "language": "id",
        "import_catalog": False,
        # Feeds in tests live on loopback; articles carry their full text (no page fetches).
        "allow_private_networks": True,
        "fetch_full_text": False,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_kabar(botapi: BotApiServer, url: str, role: str = "bot") -> AsyncIterator[Kabar]:
    """Serve with the database at `url` (already migrated) until the block ends."""
    db = Database(url)
    running = Kabar(botapi, make_settings(botapi, url), db, role=role)
    try:
        await running.start()
        yield running
    finally:
        await running.stop()
        await db.dispose()
    assert botapi.unanswered_callbacks() == []


@pytest.fixture
async def kabar(botapi: BotApiServer, tmp_path: Path) -> AsyncIterator[Kabar]:
    """Kabar serving the local Bot API server with a fresh SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'kabar.db'}"
    db = Database(url)
    await upgrade(db)
    await db.dispose()
    async with running_kabar(botapi, url) as running:
        yield running


@pytest.fixture
async def kabar_any(botapi: BotApiServer, db_url: str) -> AsyncIterator[Kabar]:
    """Kabar on each database engine (SQLite, and PostgreSQL when configured)."""
    async with running_kabar(botapi, db_url) as running:
        yield running


@pytest.fixture
async def kabar_all(
    botapi: BotApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Kabar]:
    """`kabar run` (role all): the bot, the scheduler and the sender, with quick ticks."""
    import jobs.alerts
    import jobs.outbox

    monkeypatch.setattr(jobs.alerts, "TICK_SECONDS", 0.5)
    monkeypatch.setattr(jobs.outbox, "BROADCAST_TICK_SECONDS", 1.0)
    url = f"sqlite+aiosqlite:///{tmp_path / 'kabar.db'}"
    db = Database(url)
    await upgrade(db)
    await db.dispose()
    async with running_kabar(botapi, url, role="all") as running:
        yield running
