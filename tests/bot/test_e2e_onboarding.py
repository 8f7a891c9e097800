"""End to end: /start onboarding to a first taste of the news, settings that take effect,
/stop and /start, in the user's language."""

from __future__ import annotations

from datetime import timedelta

from kabar import chats, subscriptions
from kabar.db import utcnow
from tests.bot.conftest import Kabar
from tests.bot.factories import add_article
from tests.bot.helpers import seed_news, tap


async def test_onboarding_to_a_first_taste_of_the_news(kabar_any: Kabar) -> None:
    kabar = kabar_any
    await seed_news(kabar.db)
    user = kabar.botapi.create_user("Sari", language_code="id")
    await user.send("/start")
    assert "Selamat datang di Kabar, Sari" in (await user.next_message()).text
    screen = await user.next_message()
    assert "Langkah 1 dari 3" in screen.text

    await tap(user, screen, "nasional")
    edit = await user.chat.next_edit()
    assert "✅ nasional (2)" in edit.message.button_texts
    await tap(user, screen, "Lanjut")
    assert "Langkah 2 dari 3" in (await user.chat.next_edit()).text
    await tap(user, screen, "06:00")
    await user.chat.next_edit()
    await tap(user, screen, "Jam lain")
    prompt = await user.next_message()
    assert "07:30" in prompt.text
    await user.send("19.45")
    times = await user.next_message()
    assert "06:00, 19:45" in times.text
    await tap(user, times, "Lanjut")
    assert "Langkah 3 dari 3" in (await user.chat.next_edit()).text
    await tap(user, times, "WITA")
    await user.chat.next_edit()
    await tap(user, times, "Lanjut")
    done = await user.chat.next_edit()
    assert "Beres" in done.text and "06:00, 19:45" in done.text and "Asia/Makassar" in done.text
    first_digest = await user.next_message()
    assert first_digest.text.startswith("📰 Kabar") and "2 berita" in first_digest.text
    assert "Banjir rendam Jakarta Utara" in first_digest.text and "DPR sahkan" in first_digest.text
    assert "Jeneponto" not in first_digest.text  # "daerah" was not chosen
    assert "🔇 Kompas" in first_digest.button_texts  # each item's source can be muted

    # The mute button works in place and the source is muted for this user.
    press = await tap(user, first_digest, "🔇 Kompas")
    assert "Kompas" in (await press.answer())["text"]
    swapped = await user.chat.next_edit()
    assert "🔊 Kompas" in swapped.message.button_texts
    assert len((await subscriptions.following(kabar.db, user.id)).muted) == 1
    await user.send("/digest")  # the first digest counted: nothing new since
    assert "Belum ada berita baru" in (await user.next_message()).text

    chat = await chats.get_chat(kabar.db, user.id)
    assert chat is not None and chat.onboarded
    assert (chat.digest_times, chat.timezone) == (["06:00", "19:45"], "Asia/Makassar")
    assert (await subscriptions.following(kabar.db, user.id)).topics == {"nasional"}


async def test_deep_link_preselects_a_topic(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    user = kabar.botapi.create_user("Budi", language_code="en")
    await user.send("/start topic-daerah")
    assert "Welcome to Kabar" in (await user.next_message()).text
    screen = await user.next_message()
    assert "✅ daerah (1)" in screen.button_texts
    assert "Step 1 of 3" in screen.text


async def test_settings_changes_take_effect(kabar_any: Kabar) -> None:
    kabar = kabar_any
    ids = await seed_news(kabar.db)
    user = kabar.botapi.create_user("Ayu", language_code="id")
    await user.send("/start")
    await user.next_message()
    await user.next_message()
    published = utcnow().replace(hour=1, minute=15, second=0, microsecond=0)
    if published > utcnow():
        published -= timedelta(days=1)
    await add_article(kabar.db, ids["kompas"], "Gempa di Maluku", published=published)

    # Language: the settings menu switches to English and /help follows.
    await user.send("/settings")
    menu = await user.next_message()
    assert "Pengaturan" in menu.text
    await tap(user, menu, "Bahasa")
    await user.chat.next_edit()
    await tap(user, menu, "English")
    assert "Language" in (await user.chat.next_edit()).text
    await user.send("/help")
    assert "sends you news summaries" in (await user.next_message()).text

    # Timezone: /latest shows times in the new zone (01:15 UTC is 10:15 WIT).
    await tap(user, menu, "Back")
    await user.chat.next_edit()
    await tap(user, menu, "Timezone")
    await user.chat.next_edit()
    await tap(user, menu, "Other zone")
    await user.next_message()
    await user.send("Mars/Base")
    assert "don't know the timezone" in (await user.next_message()).text
    await user.send("asia/jayapura")
    zone_screen = await user.next_message()
    assert "Asia/Jayapura (WIT)" in zone_screen.text
    await user.send("/latest nasional")
    latest = await user.next_message()
    assert "Gempa di Maluku" in latest.text and "10:15" in latest.text

    # Digest times and summary length are stored as chosen.
    await tap(user, zone_screen, "Back")
    await user.chat.next_edit()
    await tap(user, zone_screen, "Digest times")
    await user.chat.next_edit()
    await tap(user, zone_screen, "18:00")
    assert "Chosen: 18:00" in (await user.chat.next_edit()).text
    chat = await chats.get_chat(kabar.db, user.id)
    assert chat is not None
    assert (chat.language, chat.timezone, chat.digest_times) == ("en", "Asia/Jayapura", ["18:00"])


async def test_stop_and_start_bring_the_settings_back(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    user = kabar.botapi.create_user("Rina", language_code="en")
    await user.send("/start")
    await user.next_message()
    screen = await user.next_message()
    await tap(user, screen, "Everything")
    await user.chat.next_edit()
    await chats.toggle_digest_time(kabar.db, user.id, "07:00")
    await chats.mark_onboarded(kabar.db, user.id)

    await user.send("/stop")
    assert "unsubscribed" in (await user.next_message()).text
    chat = await chats.get_chat(kabar.db, user.id)
    assert chat is not None and not chat.active

    await user.send("/start")
    back = await user.next_message()
    assert "Welcome back" in back.text
    chat = await chats.get_chat(kabar.db, user.id)
    assert chat is not None and chat.active and chat.digest_times == ["07:00"]
    assert (await subscriptions.following(kabar.db, user.id)).topics == {"nasional", "daerah"}


async def test_pause_and_summary_length(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    user = kabar.botapi.create_user("Dewi", language_code="en")
    await user.send("/start")
    await user.next_message()
    await user.next_message()
    await user.send("/settings")
    menu = await user.next_message()
    press = await tap(user, menu, "Pause")
    assert "Paused" in (await press.answer())["text"]
    assert "paused ⏸" in (await user.chat.next_edit()).text
    await tap(user, menu, "Summary length")
    await user.chat.next_edit()
    await tap(user, menu, "Short")
    assert "Now: 1 sentences" in (await user.chat.next_edit()).text
    await user.send("/latest")
    latest = await user.next_message()
    assert "Banjir setinggi satu meter." in latest.text and "Warga mengungsi" not in latest.text
