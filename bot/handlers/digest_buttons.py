"""The buttons the core puts under digests and alerts (kabar.callbacks): mute or unmute a
source in place, page through a digest, and the page counter that does nothing."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cb import pack
from bot.context import KabarApp
from bot.dispatch import StaleButton, button, register_buttons
from bot.keyboards import from_outbox
from bot.turn import Turn
from bot.views import settings as views
from kabar import callbacks, digest, subscriptions
from kabar.chats import get_chat
from kabar.render import clip

SETTINGS_BACK = pack("v", "s", "main")
SOURCE_CHARS = 24


def _decode(turn: Turn, fields: list[str]) -> callbacks.Callback:
    query = turn.query
    found = callbacks.decode(query.data if query else None)
    if found is None:
        raise StaleButton(fields)
    return found


def _swapped(
    markup: InlineKeyboardMarkup | None, pressed: str, new: InlineKeyboardButton
) -> InlineKeyboardMarkup | None:
    """The keyboard with the pressed button replaced by `new`."""
    if markup is None:
        return None
    rows = [
        [new if b.callback_data == pressed else b for b in row] for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


async def _toggle_in_place(turn: Turn, new: InlineKeyboardButton) -> None:
    message, query = turn.message, turn.query
    if message is None or query is None or query.data is None:
        return
    await message.edit_reply_markup(_swapped(message.reply_markup, query.data, new))


def _datas(turn: Turn) -> list[object]:
    message = turn.message
    if message is None or message.reply_markup is None:
        return []
    return [b.callback_data for row in message.reply_markup.inline_keyboard for b in row]


async def on_mute(turn: Turn, fields: list[str]) -> None:
    """mu:<feed>: keep the source out of this chat's digests; the button turns into unmute."""
    found = _decode(turn, fields)
    assert isinstance(found, callbacks.MuteSource)
    source = await subscriptions.mute_source(turn.svc.db, turn.chat_id, found.feed_id)
    await turn.answer(turn.t("digest_buttons.muted", source=source.name))
    label = turn.label("digest.unmute", source=clip(source.name, SOURCE_CHARS))
    data = callbacks.encode(callbacks.UnmuteSource(found.feed_id))
    await _toggle_in_place(turn, InlineKeyboardButton(label, callback_data=data))


async def on_unmute(turn: Turn, fields: list[str]) -> None:
    """um:<feed>: let the source back in (from a digest, or the muted-sources screen)."""
    found = _decode(turn, fields)
    assert isinstance(found, callbacks.UnmuteSource)
    source = await subscriptions.get_source(turn.svc.db, found.feed_id)
    await subscriptions.unmute_source(turn.svc.db, turn.chat_id, found.feed_id)
    await turn.answer(turn.t("digest_buttons.unmuted", source=source.name))
    if SETTINGS_BACK in _datas(turn):  # the muted-sources screen of /settings: show it again
        chat = await get_chat(turn.svc.db, turn.chat_id)
        if chat is not None:
            screen = await views.muted(turn.svc.db, chat)
            await turn.edit(screen.text, screen.markup)
        return
    label = turn.label("digest.mute", source=clip(source.name, SOURCE_CHARS))
    data = callbacks.encode(callbacks.MuteSource(found.feed_id))
    await _toggle_in_place(turn, InlineKeyboardButton(label, callback_data=data))


async def on_page(turn: Turn, fields: list[str]) -> None:
    """dp:<since>:<until>:<page>: another page of a digest, in place."""
    found = _decode(turn, fields)
    assert isinstance(found, callbacks.DigestPage) and turn.chat is not None
    page = await digest.page(turn.svc.db, turn.chat.id, found, turn.svc.settings)
    if page is None:
        raise StaleButton("digest page gone")
    await turn.answer()
    await turn.edit(page.text, from_outbox(page.buttons))


async def on_noop(turn: Turn, fields: list[str]) -> None:
    """x: a label (the page counter)."""
    await turn.answer()


def register(app: KabarApp) -> None:
    """Add the digest and alert buttons."""
    register_buttons(
        app.bot_data,
        {
            "mu": button(on_mute, settings=True),
            "um": button(on_unmute, settings=True),
            "dp": button(on_page),
            "x": on_noop,
        },
    )
