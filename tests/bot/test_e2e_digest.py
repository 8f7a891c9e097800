"""End to end: /digest pages in place, mute and unmute from a digest and from /settings."""

from __future__ import annotations

from datetime import timedelta

from kabar import subscriptions
from kabar.db import utcnow
from tests.bot.conftest import Kabar
from tests.bot.factories import add_article, add_feed
from tests.bot.helpers import tap


async def test_digest_pages_and_mutes(kabar: Kabar) -> None:
    kompas = await add_feed(kabar.db, "Kompas")
    tempo = await add_feed(kabar.db, "Tempo")
    for n in range(12):
        await add_article(
            kabar.db,
            kompas if n % 2 else tempo,
            f"Berita penting nomor {n}",
            published=utcnow() - timedelta(minutes=10 + n),
        )
    user = kabar.botapi.create_user("Sari", language_code="en")
    await user.send("/start")
    await user.next_message()
    screen = await user.next_message()
    await tap(user, screen, "nasional")
    await user.chat.next_edit()

    await user.send("/digest")
    first = await user.next_message()
    assert first.text.startswith("📰 Kabar") and "12 stories" in first.text
    assert "1/2" in first.button_texts
    await tap(user, first, "Next")
    page2 = await user.chat.next_edit()
    assert "(2/2)" in page2.text and "Berita penting" in page2.text
    await tap(user, first, "Previous")
    assert "(1/2)" in (await user.chat.next_edit()).text
    counter = await user.press(first, data="x")
    assert not (await counter.answer()).get("text")  # just stops the spinner

    await tap(user, first, "🔇 Tempo")
    assert "🔊 Tempo" in (await user.chat.next_edit()).message.button_texts
    await tap(user, first, "🔊 Tempo")  # undo in place
    assert "🔇 Tempo" in (await user.chat.next_edit()).message.button_texts
    await tap(user, first, "🔇 Kompas")
    await user.chat.next_edit()
    assert [s.name for s in await subscriptions.muted_sources(kabar.db, user.id)] == ["Kompas"]

    await user.send("/settings")
    menu = await user.next_message()
    assert "Muted sources: 1" in menu.text
    await tap(user, menu, "Muted sources")
    muted = await user.chat.next_edit()
    assert "Kompas" in " ".join(muted.message.button_texts)
    await tap(user, menu, "Kompas")
    assert "not muted any source" in (await user.chat.next_edit()).text
    assert await subscriptions.muted_sources(kabar.db, user.id) == []
