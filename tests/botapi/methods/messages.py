"""Sending, editing and deleting messages, and chat actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.botapi.errors import NOT_MODIFIED, bad_request
from tests.botapi.markup import parse_reply_markup
from tests.botapi.state import JSON, Chat, Message, now_ts

if TYPE_CHECKING:
    from tests.botapi.api import BotApi
    from tests.botapi.args import Args

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_DELETE = 100


def _object(a: Args, name: str) -> JSON | None:
    value = a.json(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"can't parse {name.replace('_', ' ')} JSON object")
    return value


def _reply_to(api: BotApi, chat: Chat, a: Args) -> int | None:
    params = _object(a, "reply_parameters")
    if params is not None:
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        message_id = a.integer("reply_to_message_id") or None
        allow = a.flag("allow_sending_without_reply")
    if not message_id:
        return None
    if not isinstance(message_id, int):
        raise bad_request("can't parse reply parameters JSON object")
    original = chat.messages.get(message_id)
    if original is not None and not original.deleted:
        return message_id
    if allow or api.world.lean:
        return None
    raise bad_request("message to be replied not found")


async def send_message(api: BotApi, a: Args) -> Any:
    """sendMessage: every check Telegram makes, then the limits, then delivery."""
    chat = api.chat(a, for_send=True)
    api.check_can_write(chat)
    text, entities = api.text(a)
    markup = parse_reply_markup(a.raw.get("reply_markup"))
    link_preview = _object(a, "link_preview_options")
    reply_to = _reply_to(api, chat, a)
    thread_id = a.integer("message_thread_id") or None
    paid = a.flag("allow_paid_broadcast")
    api.rate(chat, paid)
    message = api.world.new_message(
        chat,
        None,
        text=text,
        entities=entities,
        reply_markup=markup,
        thread_id=thread_id,
        reply_to=reply_to,
        link_preview=link_preview,
        params=None if api.world.lean else dict(a.raw),
    )
    chat.sent += 1
    api.counters.message_sent(paid)
    api.world.record("sent", message)
    return message.to_api(api.bot)


def message_to_edit(chat: Chat, a: Args) -> Message:
    """The bot's message named by message_id, or Telegram's 400."""
    message_id = a.integer("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    api: BotApi, message: Message, text: str | None, entities: list[JSON], markup: JSON | None
) -> Any:
    if text == message.text and entities == message.entities and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.history.append((message.text, message.entities, message.reply_markup))
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.edit_date = now_ts()
    api.counters.edited += 1
    api.world.record("edited", message)
    return message.to_api(api.bot)


async def edit_message_text(api: BotApi, a: Args) -> Any:
    """editMessageText; leaving out reply_markup removes the keyboard, as on Telegram."""
    text, entities = api.text(a)
    markup = parse_reply_markup(a.raw.get("reply_markup"), inline_only=True)
    if a.text("inline_message_id"):
        return _edit_inline(api, a, text, entities, markup)
    chat = api.chat(a)
    message = message_to_edit(chat, a)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    return _apply_edit(api, message, text, entities, markup)


async def edit_message_reply_markup(api: BotApi, a: Args) -> Any:
    """editMessageReplyMarkup (no markup: the keyboard is removed)."""
    markup = parse_reply_markup(a.raw.get("reply_markup"), inline_only=True)
    if a.text("inline_message_id"):
        inline = api.inline_messages.get(a.text("inline_message_id") or "")
        if inline is None:
            raise bad_request("MESSAGE_ID_INVALID")
        return _edit_inline(api, a, inline.text, inline.entities, markup)
    message = message_to_edit(api.chat(a), a)
    return _apply_edit(api, message, message.text, message.entities, markup)


def _edit_inline(api: BotApi, a: Args, text: str, entities: list[JSON], markup: JSON | None) -> Any:
    inline = api.inline_messages.get(a.text("inline_message_id") or "")
    if inline is None:
        raise bad_request("MESSAGE_ID_INVALID")
    if (text, entities, markup) == (inline.text, inline.entities, inline.reply_markup):
        raise bad_request(NOT_MODIFIED)
    inline.text, inline.entities, inline.reply_markup = text, entities, markup
    inline.edit_count += 1
    api.world.changed.notify()
    return True


def _delete(api: BotApi, chat: Chat, message_id: int) -> bool:
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        return False
    if not message.from_bot and chat.type != "private" and chat.bot_status != "administrator":
        return False
    message.deleted = True
    api.world.record("deleted", message)
    return True


async def delete_message(api: BotApi, a: Args) -> Any:
    """deleteMessage."""
    chat = api.chat(a)
    message = chat.messages.get(a.integer("message_id"))
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if not _delete(api, chat, message.message_id):
        raise bad_request("message can't be deleted")
    return True


async def delete_messages(api: BotApi, a: Args) -> Any:
    """deleteMessages: 1..100 ids; the ones that cannot be deleted are skipped."""
    chat = api.chat(a)
    ids = a.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_DELETE:
        raise bad_request("message identifiers are not specified")
    for message_id in ids:
        if isinstance(message_id, int):
            _delete(api, chat, message_id)
    return True


async def send_chat_action(api: BotApi, a: Args) -> Any:
    """sendChatAction: the same access checks as sending, then nothing to store."""
    chat = api.chat(a, for_send=True)
    api.check_can_write(chat)
    if (a.text("action") or "") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


async def pin_chat_message(api: BotApi, a: Args) -> Any:
    """pinChatMessage / unpinChatMessage: the message must exist."""
    chat = api.chat(a)
    message_id = a.integer("message_id")
    if message_id and message_id not in chat.messages:
        raise bad_request("message to pin not found")
    return True


METHODS = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "sendChatAction": send_chat_action,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": pin_chat_message,
}
