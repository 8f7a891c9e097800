"""A minimal python-telegram-bot Application polling the server, driven as users would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
)

from tests.botapi.server import BotApiServer

App = Application[Any, Any, Any, Any, Any, Any]
PAGE = 50
ARTICLES = 120
seen: dict[str, list[Any]] = {}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    payload = " ".join(context.args or [])
    await update.effective_message.reply_text(
        f"Selamat datang, <b>{update.effective_user.first_name}</b>! {payload}".strip()
        if update.effective_user
        else "?",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Berikutnya", callback_data="page:2")]]
        ),
    )


async def page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    number = int(query.data.split(":")[1])
    await query.answer(f"Halaman {number}")
    await query.edit_message_text(
        f"Halaman <i>{number}</i>",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Berikutnya", callback_data=f"page:{number + 1}")]]
        ),
    )


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    start_at = int(query.offset or 0)
    results = [
        InlineQueryResultArticle(
            id=f"a{i}",
            title=f"{query.query} #{i}",
            input_message_content=InputTextMessageContent(f"<b>{query.query}</b> #{i}"),
        )
        for i in range(start_at, min(start_at + PAGE, ARTICLES))
    ]
    more = start_at + PAGE < ARTICLES
    # Passing None for "no more pages" avoids PTB's Defaults quirk that turns "" into "[]".
    await query.answer(results, next_offset=str(start_at + PAGE) if more else None)


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.chosen_inline_result is not None
    seen.setdefault("chosen", []).append(update.chosen_inline_result.result_id)


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.my_chat_member is not None
    seen.setdefault("member", []).append(update.my_chat_member.new_chat_member.status)


@pytest.fixture
async def app(botapi: BotApiServer) -> AsyncIterator[App]:
    seen.clear()
    application = (
        Application.builder()
        .token(botapi.token)
        .base_url(botapi.base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(page, pattern=r"^page:"))
    application.add_handler(InlineQueryHandler(inline))
    application.add_handler(ChosenInlineResultHandler(chosen))
    application.add_handler(ChatMemberHandler(membership))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=2)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_start_reply_button_and_edit(botapi: BotApiServer, app: App) -> None:
    user = botapi.create_user("Sari", language_code="id")
    await user.send("/start politik")
    reply = await user.next_message()
    assert reply.text == "Selamat datang, Sari! politik"
    assert reply.entities == [{"type": "bold", "offset": 16, "length": 4}]
    press = await user.press(reply, "Berikutnya")
    assert (await press.answer())["text"] == "Halaman 2"
    edit = await user.chat.next_edit()
    assert edit.text == "Halaman 2" and edit.reply_markup is not None
    # A stale button (the same old message, pressed again) still works and is answered.
    again = await user.press(reply, data="page:2", forge=True)
    assert (await again.answer())["text"] == "Halaman 2"
    with pytest.raises(TimeoutError):
        await user.chat.next_edit(timeout=0.3)  # same content: "not modified", no edit
    assert botapi.unanswered_callbacks() == []
    calls = botapi.counters.requests
    assert calls["getMe"] == 1 and calls["deleteWebhook"] == 1 and calls["getUpdates"] >= 1


async def test_inline_paging_with_next_offset(botapi: BotApiServer, app: App) -> None:
    user = botapi.create_user()
    offset, ids = "", []
    for _ in range(5):
        answer = await user.inline_query("banjir", offset)
        ids += answer.ids()
        if not answer.next_offset:
            break
        offset = answer.next_offset
    assert ids == [f"a{i}" for i in range(ARTICLES)]
    assert answer.raw_next_offset is None  # None was passed: PTB left the argument out
    assert answer.messages[0] == (
        "banjir #100",
        [{"type": "bold", "offset": 0, "length": 6}],
    )
    posted = await user.choose(answer, "a101")
    assert posted is not None and posted.text == "banjir #101"
    await botapi.wait_for(lambda: seen.get("chosen"), what="chosen_inline_result")
    assert seen["chosen"] == ["a101"]


async def test_blocking_reaches_the_bot(botapi: BotApiServer, app: App) -> None:
    user = botapi.create_user()
    user.block_bot()
    await botapi.wait_for(lambda: seen.get("member"), what="my_chat_member")
    assert seen["member"] == ["kicked"]
    await user.send("/start")  # writing again restarts the bot
    await user.next_message()
    assert seen["member"] == ["kicked", "member"]


async def test_empty_next_offset_with_defaults_arrives_as_brackets(
    botapi: BotApiServer,
) -> None:
    """Record what PTB 22.8 sends for next_offset="" when Defaults are set: the text "[]"."""
    application = (
        Application.builder()
        .token(botapi.token)
        .base_url(botapi.base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )

    async def answer_empty(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        await update.inline_query.answer([], next_offset="")

    application.add_handler(InlineQueryHandler(answer_empty))
    user = botapi.create_user()
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=2)
        answer = await user.inline_query("x")
        await application.updater.stop()
        await application.stop()
    assert answer.raw_next_offset == "[]"
    assert answer.next_offset == "[]"  # the client would page on with offset "[]"
