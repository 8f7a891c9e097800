"""End to end: stale and forged buttons, odd input, hostile text: a sensible reply or none,
every button answered, never a traceback in chat."""

from __future__ import annotations

from kabar import alerts, sources
from tests.bot.conftest import Kabar
from tests.bot.helpers import find_data, seed_news, tap


async def _onboarded(kabar: Kabar, name: str = "Sari", language: str = "en"):  # type: ignore[no-untyped-def]
    user = kabar.botapi.create_user(name, language_code=language)
    await user.send("/start")
    await user.next_message()
    screen = await user.next_message()
    return user, screen


async def test_stale_and_forged_buttons_are_answered(kabar: Kabar) -> None:
    ids = await seed_news(kabar.db)
    user, screen = await _onboarded(kabar)
    source_data = None
    await tap(user, screen, "Pick sources")
    await user.chat.next_edit()
    await tap(user, screen, "nasional")
    await user.chat.next_edit()
    source_data = find_data(screen, "Kompas")
    await sources.remove_feed(kabar.db, ids["kompas"])  # the source disappears meanwhile

    forged = [
        source_data,  # a button of a deleted source
        "tp:o:deadbeef:0",  # a topic that no longer exists
        "zz:1",  # not ours
        "v:q:main",  # bad mode
        "tm:s:12",  # malformed
        "lg:s:fr",
        "ln:99",
        "al:rm:abc",
        "fs:o:t",  # too few fields
        "",  # empty data
        "x" * 64,
    ]
    for data in forged:
        press = await user.press(screen, data=data, forge=True)
        answer = await press.answer()
        assert answer.get("text"), data
        assert "out of date" in answer["text"], (data, answer)
    press = await user.press(screen, data="tm:s:9999", forge=True)
    assert "not a time" in (await press.answer())["text"]
    # A very old message (Telegram shows it as inaccessible) still gets an answer.
    press = await user.press(screen, data=screen.callback_data[-1], inaccessible=True)
    await press.answer()
    assert kabar.botapi.unanswered_callbacks() == []
    assert not any("Traceback" in (m.text or "") for m in user.messages)


async def test_old_buttons_after_stop_still_work_and_settings_persist(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    user, screen = await _onboarded(kabar)
    await user.send("/settings")
    menu = await user.next_message()
    await user.send("/stop")
    await user.next_message()
    await tap(user, screen, "Next")  # the onboarding screen from before /stop
    assert "Step 2 of 3" in (await user.chat.next_edit()).text
    await tap(user, menu, "Language")
    await user.chat.next_edit()
    await tap(user, menu, "Bahasa Indonesia")
    await user.chat.next_edit()
    await user.send("/start")
    assert "Selamat datang" in (await user.next_message()).text


async def test_odd_text_and_commands_get_sensible_replies(kabar: Kabar) -> None:
    user = kabar.botapi.create_user("Odd", language_code="en")
    await user.send("/frobnicate now")
    assert "I don't know /frobnicate" in (await user.next_message()).text
    await user.send("/digest")
    assert "/start" in (await user.next_message()).text  # not subscribed yet
    await user.send("/alerts")
    assert "/start" in (await user.next_message()).text
    await user.send("/cancel")
    assert "nothing to cancel" in (await user.next_message()).text
    await user.send("/start")
    await user.next_message()
    await user.next_message()
    await user.send("/feeds@other_bot")  # another bot's command in a private chat
    assert "I don't know" in (await user.next_message()).text
    await user.send("<b>unclosed & \u0000 \u202e")
    reply = await user.next_message()
    assert reply.text


async def test_alerts_commands_escape_and_limit(kabar: Kabar) -> None:
    user, _ = await _onboarded(kabar)
    await user.send('/alerts add <b>banjir</b> "jakarta utara" -hoaks')
    added = await user.next_message()
    assert '<b>banjir</b> "jakarta utara" -hoaks' in added.text  # shown as typed, not as markup
    await user.send("/alerts add -politik")
    assert "at least one word" in (await user.next_message()).text
    await user.send("/alerts")
    listing = await user.next_message()
    assert "Your alerts" in listing.text
    await tap(user, listing, "Add an alert")
    await user.next_message()
    await user.send("gempa bumi")
    assert "gempa bumi" in (await user.next_message()).text
    saved = await alerts.list_alerts(kabar.db, user.id)
    assert [a.query for a in saved] == ['<b>banjir</b> "jakarta utara" -hoaks', "gempa bumi"]
    await tap(user, listing, "banjir")
    await user.chat.next_edit()
    assert [a.query for a in await alerts.list_alerts(kabar.db, user.id)] == ["gempa bumi"]
    await user.send("/alerts remove gempa bumi")
    assert "removed" in (await user.next_message()).text
    await user.send("/alerts remove nothing-here")
    assert "no alert" in (await user.next_message()).text


async def test_a_failure_inside_a_handler_is_an_apology_not_a_traceback(kabar: Kabar) -> None:
    from sqlalchemy import text

    user, _ = await _onboarded(kabar)
    await user.send("/alerts")
    listing = await user.next_message()
    async with kabar.db.transaction() as session:
        await session.execute(text("DROP TABLE alerts"))  # the database breaks under the bot
    await user.send("/alerts")
    apology = await user.next_message()
    assert "something went wrong" in apology.text
    press = await user.press(listing, data=find_data(listing, "Add an alert"))
    await press.answer()
    assert "Send the words" in (await user.next_message()).text  # needs no table
    await user.send("/settings")
    reply = await user.next_message()
    assert "something went wrong" in reply.text
    assert "Traceback" not in reply.text and "sqlalchemy" not in reply.text.lower()
    press = await user.press(listing, data="al:ls", forge=True)
    answer = await press.answer()
    assert "something went wrong" in answer["text"]


async def test_long_hostile_articles_fit_telegrams_limit(kabar: Kabar) -> None:
    from tests.bot.factories import add_article, add_feed

    feed = await add_feed(kabar.db, "Situs <script>&", topic="nasional")
    for n in range(12):
        await add_article(
            kabar.db,
            feed,
            f"Judul {n} <b>&amp; " + "&<>" * 400,
            summary="\n".join(f"Kalimat {n}.{i} & <i>" + "x&" * 300 for i in range(6)),
            url=f"https://contoh.id/{'a' * 1500}/{n}",
        )
    user = kabar.botapi.create_user("Long", language_code="id")
    await user.send("/latest")
    first = await user.next_message()
    assert first.text.startswith("🗞")
    await user.send("/help")
    await user.next_message(match="Kabar")
    texts = [m.text for m in user.messages]
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
    assert sum("Judul" in t for t in texts) >= 2  # the items were split across messages
    assert any("Situs <script>&" in t for t in texts)


async def test_toasts_are_plain_text(kabar: Kabar) -> None:
    from tests.bot.factories import add_feed

    await add_feed(kabar.db, "Tom & Jerry <News>", topic="A&B <x>")
    user, screen = await _onboarded(kabar)
    press = await tap(user, screen, "A&B")
    assert (await press.answer())["text"] == "Following A&B <x>"
