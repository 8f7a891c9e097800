"""Test helpers: a small news world in the database and button pressing by partial text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from kabar.db import Database, utcnow
from tests.bot.factories import add_article, add_feed
from tests.botapi.handles import Press, TestUser
from tests.botapi.state import Message

T = TypeVar("T")


async def seed_news(db: Database) -> dict[str, int]:
    """Three sources in two topics and one region, each with a fresh article."""
    kompas = await add_feed(db, "Kompas", topic="nasional")
    tempo = await add_feed(db, "Tempo", topic="nasional", language="id")
    fajar = await add_feed(db, "Fajar", topic="daerah", region="Sulawesi Selatan")
    recent = utcnow() - timedelta(minutes=30)
    await add_article(
        db,
        kompas,
        "Banjir rendam Jakarta Utara",
        summary="Banjir setinggi satu meter.\nWarga mengungsi.",
        published=recent,
    )
    await add_article(
        db, tempo, "DPR sahkan undang-undang baru", published=recent - timedelta(minutes=5)
    )
    await add_article(
        db, fajar, "Pilkada Jeneponto berlangsung aman", published=recent - timedelta(minutes=10)
    )
    return {"kompas": kompas, "tempo": tempo, "fajar": fajar}


def find_data(message: Message, contains: str) -> str:
    """The callback data of the first button whose text contains `contains`."""
    for button in message.buttons:
        if contains in str(button.get("text")) and "callback_data" in button:
            return str(button["callback_data"])
    raise LookupError(f"no button containing {contains!r}: {message.button_texts}")


async def tap(user: TestUser, message: Message, contains: str) -> Press:
    """Press the button whose text contains `contains` and wait for its answer."""
    press = await user.press(message, data=find_data(message, contains))
    await press.answer()
    return press


def at(hour: int, minute: int = 0) -> datetime:
    """Today at hour:minute UTC."""
    return datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)


async def eventually(check: Callable[[], Awaitable[T | None]], *, within: float = 5.0) -> T:
    """Await `check()` until it returns something truthy (for state the bot writes later)."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.03)
