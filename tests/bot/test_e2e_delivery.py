"""End to end with the worker running (kabar run --role all): an alert arrives when a matching
article is stored, a digest arrives at the chosen time in the chosen zone, and an admin's
broadcast goes from compose to its final report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kabar import digest
from kabar.alert_dispatch import WATERMARK_KEY
from kabar.db import utcnow
from kabar.state import get_state
from tests.bot.conftest import ADMIN_ID, Kabar
from tests.bot.factories import add_article
from tests.bot.helpers import eventually, find_data, seed_news, tap


async def _onboard(kabar: Kabar, name: str, language: str, topic: str = "nasional"):  # type: ignore[no-untyped-def]
    user = kabar.botapi.create_user(name, language_code=language)
    await user.send("/start")
    await user.next_message()
    screen = await user.next_message()
    await tap(user, screen, topic)
    await user.chat.next_edit()
    return user, screen


async def test_an_alert_arrives_when_a_matching_article_is_stored(kabar_all: Kabar) -> None:
    kabar = kabar_all
    ids = await seed_news(kabar.db)
    await eventually(lambda: get_state(kabar.db, WATERMARK_KEY))  # the alert tick is running
    user, _ = await _onboard(kabar, "Sari", "id")
    await user.send('/alerts add banjir "jakarta utara" -hoaks')
    assert "Peringatan disimpan" in (await user.next_message()).text

    await add_article(kabar.db, ids["tempo"], "Hoaks banjir Jakarta Utara beredar")  # excluded
    await add_article(
        kabar.db,
        ids["tempo"],
        "Banjir kembali rendam Jakarta Utara",
        summary="Air setinggi satu meter.\nWarga mengungsi ke masjid.",
        fetched=utcnow(),
    )
    alert = await user.next_message(timeout=15)
    assert "🔔" in alert.text and "Banjir kembali rendam Jakarta Utara" in alert.text
    assert "Air setinggi satu meter." in alert.text and "Hoaks" not in alert.text
    assert "🔇 Tempo" in alert.button_texts
    # The same article never comes twice.
    await add_article(kabar.db, ids["tempo"], "Harga cabai naik", fetched=utcnow())
    user.chat.skip()
    await user.send("/help")
    assert "Kabar" in (await user.next_message()).text  # the next message is not another alert


async def test_a_digest_arrives_at_the_chosen_time_in_the_chosen_zone(kabar_all: Kabar) -> None:
    kabar = kabar_all
    await seed_news(kabar.db)
    user, screen = await _onboard(kabar, "Budi", "en")
    await tap(user, screen, "Next")
    await user.chat.next_edit()
    await tap(user, screen, "Other time")
    await user.next_message()
    await user.send("07:15")
    times = await user.next_message()
    await tap(user, times, "Next")
    await user.chat.next_edit()
    await tap(user, times, "WIT (")
    await user.chat.next_edit()

    zone = ZoneInfo("Asia/Jayapura")
    local = datetime.now(zone).replace(hour=7, minute=15, second=0, microsecond=0)
    if local <= datetime.now(zone):
        local += timedelta(days=1)
    slot = local.astimezone(UTC)
    # A minute before the slot nothing is due; at 07:15 WIT (not WIB) the digest goes out.
    assert (
        await digest.run_due(kabar.db, kabar.settings, now=slot - timedelta(minutes=1))
    ).queued == 0
    wib = slot + timedelta(hours=2)  # 07:15 WIB is two hours after 07:15 WIT
    report = await digest.run_due(kabar.db, kabar.settings, now=slot + timedelta(seconds=20))
    assert report.queued == 1
    received = await user.next_message(timeout=15)
    assert received.text.startswith("📰 Kabar") and "07:15" in received.text
    assert "Banjir rendam Jakarta Utara" in received.text
    assert (await digest.run_due(kabar.db, kabar.settings, now=wib)).queued == 0  # never twice


async def test_an_admins_broadcast_from_compose_to_final_report(kabar_all: Kabar) -> None:
    kabar = kabar_all
    await seed_news(kabar.db)
    readers = [await _onboard(kabar, f"R{n}", "id" if n % 2 else "en") for n in range(4)]
    admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="en")
    await admin.send("/start")
    await admin.next_message()
    await admin.next_message()

    await admin.send("/broadcast")
    assert "Send the message to broadcast" in (await admin.next_message()).text
    await admin.send(
        "Kabar is back!",
        entities=[{"type": "bold", "offset": 9, "length": 4}],
    )
    assert "preview" in (await admin.next_message()).text
    preview = await admin.next_message()
    assert preview.text == "Kabar is back!" and preview.entities[0]["type"] == "bold"
    control = await admin.next_message()
    assert "Everyone · 5 chats" in control.text  # four readers and the admin

    await tap(admin, control, "Indonesian")
    assert "2 chats" in (await admin.chat.next_edit()).text
    await tap(admin, control, "Send to 2")
    assert "queued for 2 chats" in (await admin.chat.next_edit()).text
    progress = await admin.next_message()
    assert "Broadcast" in progress.text and "Cancel broadcast" in " ".join(progress.button_texts)

    for user, _ in readers:
        if user.user.language_code == "id":
            got = await user.next_message(match="Kabar is back", timeout=15)
            assert got.entities[0]["type"] == "bold"
    report = await admin.chat.next_edit(match="finished", timeout=15)
    assert "Sent: 2 of 2" in report.text and report.message.reply_markup is None
    english = [u for u, _ in readers if u.user.language_code == "en"]
    assert all(not any("Kabar is back" in (m.text or "") for m in u.messages) for u in english)


async def test_a_broadcast_discarded_or_cancelled(kabar: Kabar) -> None:
    # No worker runs here: a queued broadcast waits, so cancelling it is deterministic.
    admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="en")
    reader = kabar.botapi.create_user("Reader", language_code="en")
    await reader.send("/start")
    await admin.send("/broadcast <b>not markup</b> & more")  # typed text stays text
    await admin.next_message()
    preview = await admin.next_message()
    assert preview.text == "<b>not markup</b> & more" and preview.entities == []
    control = await admin.next_message()
    old_send = find_data(control, "Send to")
    await tap(admin, control, "Discard")
    assert "discarded" in (await admin.chat.next_edit()).text
    stale = await admin.press(control, data=old_send, forge=True)
    assert "out of date" in (await stale.answer())["text"]

    await admin.send("/broadcast Hello")
    await admin.next_message()
    await admin.next_message()
    control = await admin.next_message()
    await tap(admin, control, "Send to")
    await admin.chat.next_edit()
    progress = await admin.next_message()
    assert "Sent: 0 of 1" in progress.text
    press = await tap(admin, progress, "Cancel broadcast")
    assert "cancelled" in (await press.answer())["text"]
    report = await admin.chat.next_edit(match="cancelled", timeout=10)
    assert "Not sent: 0" in report.text or "Broadcast cancelled" in report.text
    again = await admin.press(progress, data="bc:1", forge=True)
    assert "already ended" in (await again.answer())["text"]
    assert not any("Hello" in (m.text or "") for m in reader.messages)
