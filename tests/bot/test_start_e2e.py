"""End to end: Kabar's real Application polls the local Bot API server; /start and /help."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import build_application, publish_commands
from kabar.chats import get_chat
from kabar.config import Settings
from kabar.services import Services, open_services
from tests.botapi import BotApiServer


@pytest.fixture
async def services(botapi: BotApiServer, sqlite_url: str) -> AsyncIterator[Services]:
    settings = Settings(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_URL=botapi.base_url,
        DATABASE_URL=sqlite_url,
    )
    async with open_services(settings) as svc:
        yield svc


@pytest.fixture
async def running(services: Services) -> AsyncIterator[Any]:
    app = build_application(services)
    async with app:
        await publish_commands(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_start_registers_the_chat_and_help_answers(
    botapi: BotApiServer, services: Services, running: Any
) -> None:
    user = botapi.create_user("Ani", language_code="id")
    await user.send("/start")
    welcome = await user.next_message()
    assert "Ani" in (welcome.text or "")
    chat = await get_chat(services.db, user.id)
    assert chat is not None and chat.language == "id"
    await user.send("/help")
    help_text = await user.next_message()
    assert "/start" in (help_text.text or "")
    assert [m.params["parse_mode"] for m in user.messages if m.params] == ["HTML", "HTML"]
    english = botapi.create_user("Sam", language_code="en")
    await english.send("/start")
    assert "Sam" in ((await english.next_message()).text or "")
    assert (await get_chat(services.db, english.id)).language == "en"  # type: ignore[union-attr]
    assert {key[1] for key in botapi.api.commands} == {"", "id", "en"}
