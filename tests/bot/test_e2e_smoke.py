"""Smoke: the application answers /start and /help in the user's language."""

from __future__ import annotations

import time

from tests.bot.conftest import Kabar


async def test_start_and_help(kabar: Kabar) -> None:
    user = kabar.botapi.create_user("Sari", language_code="id")
    t0 = time.monotonic()
    await user.send("/start")
    welcome = await user.next_message()
    assert "Selamat datang" in welcome.text
    screen = await user.next_message()
    assert "Langkah 1" in screen.text
    await user.send("/help")
    help_ = await user.next_message()
    assert "/cari" in help_.text
    print("took", time.monotonic() - t0)
