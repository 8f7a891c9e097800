"""The remaining methods and rules through PTB: webhooks, markup edits, queries, channels."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden

from tests.botapi.conftest import make_bot
from tests.botapi.server import BotApiServer


def article(result_id: str, text: str = "x", **extra: Any) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id, "t", InputTextMessageContent(text, parse_mode=ParseMode.HTML), **extra
    )


async def test_webhook_blocks_polling_until_deleted(botapi: BotApiServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://127.0.0.1/hook")
    assert await bot.set_webhook("https://kabar.example/hook")
    info = await bot.get_webhook_info()
    assert info.url == "https://kabar.example/hook" and info.pending_update_count == 0
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    user = botapi.create_user()
    await user.send("/start")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""


async def test_edit_reply_markup(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    message = await bot.send_message(user.id, "x", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, message.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(user.id, message.message_id)
    assert user.messages[0].reply_markup is None and user.messages[0].text == "x"
    asked = await user.send("hai")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", user.id, asked.message_id)
    url_button = InlineKeyboardMarkup([[InlineKeyboardButton("a", url="javascript:1")]])
    with pytest.raises(BadRequest, match="Button_url_invalid"):
        await bot.send_message(user.id, "x", reply_markup=url_button)


async def test_callback_answers_are_checked(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    message = await bot.send_message(
        user.id,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]]),
    )
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query("12345")
    press = await user.press(botapi.bot_messages(user.id)[0], "a")
    assert [q.id for q in botapi.unanswered_callbacks()] == [press.id]
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(press.id, "x" * 201)
    assert await bot.answer_callback_query(press.id, "ok", show_alert=True)
    assert await press.answer() == {"text": "ok", "show_alert": True, "url": None, "cache_time": 0}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # answered twice
        await bot.answer_callback_query(press.id)
    assert botapi.unanswered_callbacks() == []
    assert message.message_id == press.query.message.message_id  # type: ignore[union-attr]


async def test_expired_queries(botapi_factory: Any) -> None:
    server: BotApiServer = await botapi_factory(query_timeout=0.05)
    user = server.create_user()
    async with make_bot(server) as bot:
        await bot.send_message(
            user.id,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]]),
        )
        press = await user.press(user.messages[0], "a")
        query = user.start_inline_query("late")
        await asyncio.sleep(0.1)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(press.id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_inline_query(query.id, [])
    assert press.query.late_answers == 1 and query.late_answers == 1
    assert server.unanswered_callbacks() == [press.query]


@pytest.mark.parametrize(
    ("results", "options", "error"),
    [
        ([article(str(i)) for i in range(51)], {}, "Results_too_much"),
        ([article("a")], {"next_offset": "9" * 65}, "Next_offset_invalid"),
        ([article("a"), article("a")], {}, "Result_id_duplicate"),
        ([article("x" * 65)], {}, "Result_id_invalid"),
        ([article("a", "<b>x")], {}, "(?i)can't parse entities: can't find end tag"),
        ([article("a", " ")], {}, "(?i)message text is empty"),
    ],
)
async def test_inline_answers_are_validated(
    botapi: BotApiServer, bot: Bot, results: list[Any], options: dict[str, Any], error: str
) -> None:
    user = botapi.create_user()
    query = user.start_inline_query("q")
    with pytest.raises(BadRequest, match=error):
        await bot.answer_inline_query(query.id, results, **options)
    assert query.answer is None
    # A valid answer of exactly the limits goes through.
    ok = [article(str(i), f"<i>{i}</i>") for i in range(50)]
    assert await bot.answer_inline_query(query.id, ok, next_offset="9" * 64)
    assert query.answer is not None and query.answer.next_offset == "9" * 64


async def test_channels_actions_and_membership(botapi: BotApiServer, bot: Bot) -> None:
    owner = botapi.create_user("Owner")
    channel = botapi.create_channel("Kabar Pagi", username="kabarpagi", creator=owner)
    post = await bot.send_message("@kabarpagi", "Edisi pagi")
    assert post.sender_chat is not None and post.sender_chat.id == channel.id
    assert await bot.send_chat_action(owner.id, ChatAction.TYPING)
    async with httpx.AsyncClient() as client:
        bad = await client.post(
            f"{botapi.base_url}{botapi.token}/sendChatAction",
            data={"chat_id": owner.id, "action": "dancing"},
        )
    assert bad.json()["description"] == "Bad Request: wrong parameter action in request"
    group = botapi.create_group("Arisan", creator=owner, bot_status="left")
    with pytest.raises(Forbidden, match=r"(?i)not a member of the group chat"):
        await bot.send_message(group.id, "x")
    group.add_bot(by=owner)
    await bot.send_message(group.id, "Halo semua")
    updates = await bot.get_updates()
    member, joined = updates
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "member"
    assert joined.message is not None
    assert [m.id for m in joined.message.new_chat_members] == [bot.id]


async def test_bodies_as_ptb_and_others_send_them(botapi: BotApiServer) -> None:
    user = botapi.create_user()
    url = f"{botapi.base_url}{botapi.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        multipart = await client.post(
            url,
            data={"chat_id": str(user.id), "text": "<u>multi</u>", "parse_mode": "HTML"},
            files={"document": ("a.txt", b"hello", "text/plain")},
        )
        query = await client.get(url, params={"chat_id": user.id, "text": "from GET"})
        broken = await client.post(
            url, content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert multipart.json()["result"]["entities"] == [
        {"type": "underline", "offset": 0, "length": 5}
    ]
    assert query.json()["result"]["text"] == "from GET"
    assert broken.status_code == 400
    assert [m.text for m in user.messages] == ["multi", "from GET"]


async def test_delete_messages_and_user_messages(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    ids = [(await bot.send_message(user.id, str(i))).message_id for i in range(3)]
    incoming = await user.send("hapus aku")
    assert await bot.delete_messages(user.id, [*ids[:2], 999])
    assert await bot.delete_message(user.id, incoming.message_id)  # allowed in private chats
    assert [m.deleted for m in user.messages] == [True, True, False]
    assert [e.kind for e in user.chat.events()].count("deleted") == 3
