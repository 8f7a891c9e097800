"""End to end: groups (only their admins change settings), forum topics, and migration."""

from __future__ import annotations

from kabar import chats, subscriptions
from tests.bot.conftest import Kabar
from tests.bot.helpers import eventually, find_data, seed_news, tap


async def test_only_the_groups_admins_change_its_settings(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    api = kabar.botapi
    boss, member = (
        api.create_user("Boss", language_code="en"),
        api.create_user("Ana", language_code="en"),
    )
    group = api.create_group("Warga RT 5", creator=boss, members=(member,))

    await member.send("/start", chat=group)
    assert "Only this group's admins" in (await group.next_message()).text
    assert await chats.get_chat(kabar.db, group.id) is None

    await boss.send("/start", chat=group)
    await group.next_message()
    screen = await group.next_message()
    assert "Step 1 of 3" in screen.text

    press = await member.press(screen, data=find_data(screen, "nasional"))
    answer = await press.answer()
    assert answer["show_alert"] and "admins" in answer["text"]
    assert (await subscriptions.following(kabar.db, group.id)).topics == set()

    await tap(boss, screen, "nasional")
    await group.next_edit()
    assert (await subscriptions.following(kabar.db, group.id)).topics == {"nasional"}

    await member.send("/settings", chat=group)
    assert "admins" in (await group.next_message()).text
    await member.send("/latest", chat=group)  # reading the news is for everyone
    assert "Banjir rendam" in (await group.next_message()).text

    # Plain chatter in a group gets no reply.
    group.skip()
    await member.send("halo semua", chat=group)
    await member.send("/start@kabar_test_bot", chat=group)
    assert "admins" in (await group.next_message()).text


async def test_anonymous_admin_and_forum_topic(kabar: Kabar) -> None:
    api = kabar.botapi
    boss = api.create_user("Boss", language_code="id")
    forum = api.create_supergroup("Berita", forum=True, creator=boss)
    await boss.send("/start", chat=forum, thread_id=77)
    welcome = await forum.next_message()
    assert welcome.thread_id == 77
    chat = await chats.get_chat(kabar.db, forum.id)
    assert chat is not None and chat.thread_id == 77 and chat.type == "supergroup"
    await boss.send("/help", chat=forum, thread_id=77)
    assert (await forum.next_message(match="Kabar")).thread_id == 77


async def test_a_migrated_group_keeps_its_settings(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    api = kabar.botapi
    boss = api.create_user("Boss", language_code="en")
    group = api.create_group("Old group", creator=boss)
    await boss.send("/start", chat=group)
    await group.next_message()
    screen = await group.next_message()
    await tap(boss, screen, "nasional")
    await group.next_edit()
    await chats.set_timezone(kabar.db, group.id, "WIT")

    supergroup = group.migrate(by=boss)
    moved = await eventually(lambda: chats.get_chat(kabar.db, supergroup.id))
    assert moved.timezone == "Asia/Jayapura"
    assert (await subscriptions.following(kabar.db, supergroup.id)).topics == {"nasional"}
    assert await chats.get_chat(kabar.db, group.id) is None
    await boss.send("/settings", chat=supergroup)
    assert "Asia/Jayapura" in (await supergroup.next_message()).text


async def test_removed_from_a_group_stops_sending(kabar: Kabar) -> None:
    api = kabar.botapi
    boss = api.create_user("Boss", language_code="id")
    group = api.create_group("G", creator=boss)
    await boss.send("/start", chat=group)
    await group.next_message()
    group.remove_bot(by=boss)

    async def blocked() -> bool:
        chat = await chats.get_chat(kabar.db, group.id)
        return chat is not None and chat.blocked and not chat.active

    await eventually(blocked)


async def test_a_channel_can_subscribe(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    api = kabar.botapi
    owner = api.create_user("Owner", language_code="en")
    channel = api.create_channel("Kabar Makassar", creator=owner)
    await owner.send("/start", chat=channel)
    assert "Kabar" in (await channel.next_message()).text
    screen = await channel.next_message()
    await tap(owner, screen, "daerah")
    await channel.next_edit()
    assert (await subscriptions.following(kabar.db, channel.id)).topics == {"daerah"}
    chat = await chats.get_chat(kabar.db, channel.id)
    assert chat is not None and chat.type == "channel"
