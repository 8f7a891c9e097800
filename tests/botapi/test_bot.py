"""The server through the real python-telegram-bot client (telegram.Bot over HTTP)."""

from __future__ import annotations

import json

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken

from tests.botapi.conftest import make_bot
from tests.botapi.server import BotApiServer


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_get_me_and_the_envelope(botapi: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "kabar_test_bot"
    assert me.id == int(botapi.token.split(":")[0])
    async with httpx.AsyncClient() as client:
        raw = (await client.get(f"{botapi.base_url}{botapi.token}/getMe")).json()
        assert raw["ok"] is True and raw["result"]["supports_inline_queries"] is True
        wrong = await client.post(f"{botapi.base_url}123:nope/getMe")
        assert (wrong.status_code, wrong.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        unknown = await client.post(f"{botapi.base_url}{botapi.token}/sendTelepathy")
        assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
        # Method names are case-insensitive, JSON bodies work like form bodies.
        user = botapi.create_user("Json")
        sent = await client.post(
            f"{botapi.base_url}{botapi.token}/SENDMESSAGE",
            json={
                "chat_id": user.id,
                "text": "<i>x</i>",
                "parse_mode": "HTML",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
            },
        )
        assert sent.json()["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 1}]
    with pytest.raises(InvalidToken):
        async with Bot("123:wrong", base_url=botapi.base_url):
            pass


async def test_send_html_stores_plain_text_and_entities(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user("Ani", language_code="id")
    message = await bot.send_message(
        user.id,
        '<b>Banjir</b> di <a href="https://kompas.id/x">Jakarta</a> &amp; sekitarnya',
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("Lagi", "more:1")),
    )
    assert message.text == "Banjir di Jakarta & sekitarnya"
    stored = user.messages[-1]
    assert stored.text == message.text
    assert stored.entities == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 10, "length": 7, "url": "https://kompas.id/x"},
    ]
    assert stored.callback_data == ["more:1"]
    assert stored.params is not None and stored.params["parse_mode"] == "HTML"


async def test_invalid_html_gets_telegrams_error(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    for text, description in [
        ("Skor <3 untuk kita", 'Unsupported start tag "3" at byte offset 5'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("tebal</b>", "Unexpected end tag at byte offset 5"),
    ]:
        with pytest.raises(BadRequest) as caught:
            await bot.send_message(user.id, text, parse_mode=ParseMode.HTML)
        expected = f"Bad Request: can't parse entities: {description}"
        assert botapi.counters.errors[expected] == 1
        # PTB strips "Bad Request: " and applies str.capitalize(), lower-casing the rest.
        assert caught.value.message == expected.removeprefix("Bad Request: ").capitalize()
    assert user.messages == []


async def test_length_rules_count_utf16_after_parsing(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    emoji = "🏟" * 2048  # 2048 characters, 4096 UTF-16 code units
    sent = await bot.send_message(user.id, f"<b>{emoji}</b>", parse_mode=ParseMode.HTML)
    assert sent.text == emoji
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(user.id, emoji + "!")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(user.id, "<i> </i>", parse_mode=ParseMode.HTML)


async def test_callback_data_is_limited_to_64_bytes(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    await bot.send_message(user.id, "ok", reply_markup=keyboard(("x", "é" * 32)))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(user.id, "no", reply_markup=keyboard(("x", "a" + "é" * 32)))
    text_only = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="")]])
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(user.id, "no", reply_markup=text_only)
    assert botapi.counters.errors["Bad Request: BUTTON_DATA_INVALID"] == 1
    assert len(user.messages) == 1


async def test_edits_and_deletes(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    message = await bot.send_message(user.id, "halaman 1", reply_markup=keyboard(("›", "p:2")))
    edited = await bot.edit_message_text(
        "halaman <b>2</b>",
        user.id,
        message.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("‹", "p:1")),
    )
    assert not isinstance(edited, bool) and edited.text == "halaman 2"
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_text(
            "halaman <b>2</b>",
            user.id,
            message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(("‹", "p:1")),
        )
    assert caught.value.message.startswith("Message is not modified: specified new message")
    # Leaving reply_markup out of editMessageText removes the keyboard, as on Telegram.
    await bot.edit_message_text("halaman 2", user.id, message.message_id)
    assert user.messages[0].reply_markup is None
    assert [e.kind for e in user.chat.events()] == ["sent", "edited", "edited"]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", user.id, 999)
    assert await bot.delete_message(user.id, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user.id, message.message_id)


async def test_replies_and_forum_threads_are_recorded(botapi: BotApiServer, bot: Bot) -> None:
    alice = botapi.create_user("Alice")
    forum = botapi.create_supergroup("Berita", forum=True, members=(alice,))
    asked = await alice.send("/latest", chat=forum, thread_id=7)
    reply = await bot.send_message(
        forum.id,
        "ini",
        message_thread_id=7,
        reply_parameters=ReplyParameters(asked.message_id),
    )
    assert reply.message_thread_id == 7 and reply.is_topic_message
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "/latest"
    assert forum.last.thread_id == 7 and forum.last.reply_to == asked.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(forum.id, "x", reply_parameters=ReplyParameters(555))


async def test_blocked_deactivated_kicked_and_unknown_chats(botapi: BotApiServer, bot: Bot) -> None:
    blocked, gone, shy = (
        botapi.create_user(),
        botapi.create_user(),
        botapi.create_user(started=False),
    )
    blocked.block_bot()
    gone.deactivate()
    group = botapi.create_group(creator=blocked)
    group.remove_bot(by=blocked)
    for chat_id, text in [
        (blocked.id, "Forbidden: bot was blocked by the user"),
        (gone.id, "Forbidden: user is deactivated"),
        (shy.id, "Forbidden: bot can't initiate conversation with a user"),
        (group.id, "Forbidden: bot was kicked from the group chat"),
    ]:
        with pytest.raises(Forbidden):
            await bot.send_message(chat_id, "halo")
        assert botapi.counters.errors[text] == 1
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "halo")


async def test_migrated_group_raises_chat_migrated(botapi: BotApiServer, bot: Bot) -> None:
    admin = botapi.create_user("Admin")
    group = botapi.create_group("Warga", creator=admin)
    supergroup = group.migrate()
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "halo")
    assert caught.value.new_chat_id == supergroup.id < -1_000_000_000_000
    await bot.send_message(supergroup.id, "halo")
    updates = await bot.get_updates()
    notes = [u.message for u in updates if u.message]
    assert [(m.migrate_to_chat_id, m.migrate_from_chat_id) for m in notes] == [
        (supergroup.id, None),
        (None, group.id),
    ]


async def test_group_admins_and_members(botapi: BotApiServer, bot: Bot) -> None:
    owner, admin, member, stranger = (botapi.create_user(n) for n in "OAMS")
    group = botapi.create_supergroup(creator=owner, admins=(admin,), members=(member,))
    admins = await bot.get_chat_administrators(group.id)
    assert {(a.user.id, a.status) for a in admins} == {
        (owner.id, "creator"),
        (admin.id, "administrator"),
    }
    assert (await bot.get_chat_member(group.id, member.id)).status == "member"
    assert (await bot.get_chat_member(group.id, stranger.id)).status == "left"
    assert (await bot.get_chat_member(group.id, bot.id)).status == "member"
    assert await bot.get_chat_member_count(group.id) == 4
    info = await bot.get_chat(group.id)
    assert info.type == "supergroup" and info.title == group.chat.title
    with pytest.raises(BadRequest, match=r"(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)
    assert (await bot.get_chat_member(owner.id, bot.id)).status == "member"
    owner.block_bot()
    assert (await bot.get_chat_member(owner.id, bot.id)).status == "kicked"


async def test_commands_per_scope_and_language(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    await bot.set_my_commands(
        [BotCommand("start", "Mulai"), BotCommand("cari", "Cari berita")], language_code="id"
    )
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("stats", "Stats")], scope=BotCommandScopeChat(user.id))
    assert [c.command for c in await bot.get_my_commands(language_code="id")] == ["start", "cari"]
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(user.id))] == [
        "stats"
    ]
    for bad, message in [
        (BotCommand("Start", "x"), "Bot_command_invalid"),
        (BotCommand("a" * 33, "x"), "(?i)command length must not exceed 32"),
        (BotCommand("ok", ""), "(?i)command description must be non-empty"),
        (BotCommand("ok", "x" * 257), "(?i)description length must not exceed 256"),
    ]:
        with pytest.raises(BadRequest, match=message):
            await bot.set_my_commands([bad])
    with pytest.raises(BadRequest, match="Bot_commands_too_much"):
        await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])
    assert await bot.delete_my_commands(language_code="id")
    assert await bot.get_my_commands(language_code="id") == ()


async def test_get_updates_long_polling_and_offsets(botapi: BotApiServer) -> None:
    user = botapi.create_user("Budi")
    async with make_bot(botapi) as bot:
        assert await bot.get_updates(timeout=0) == ()
        await user.send("/start")
        await user.send("/help")
        first = await bot.get_updates(timeout=1, limit=1)
        assert [u.message.text for u in first if u.message] == ["/start"]
        again = await bot.get_updates(timeout=1)  # not confirmed yet: delivered again
        assert [u.message.text for u in again if u.message] == ["/start", "/help"]
        rest = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
        assert rest == ()
        assert len(botapi.api.updates.pending) == 0
        # allowed_updates is remembered and filters what reaches the bot.
        await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
        await user.send("/ignored")
        assert botapi.api.updates.dropped == 1


async def test_form_bodies_carry_the_ptb_defaults_quirk(botapi: BotApiServer) -> None:
    """PTB 22.8 with Defaults sends an empty string as the JSON text "[]" (ExtBot quirk)."""
    from telegram.ext import Defaults, ExtBot

    user = botapi.create_user()
    async with ExtBot(
        botapi.token, base_url=botapi.base_url, defaults=Defaults(parse_mode=ParseMode.HTML)
    ) as ext:
        sent = await ext.send_message(user.id, "")
    assert sent.text == "[]"
    assert user.messages[-1].params is not None
    assert json.loads(user.messages[-1].params["text"]) == []
