"""Answers to callback queries and inline queries, with Telegram's limits and error texts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.botapi.errors import QUERY_TOO_OLD, bad_request
from tests.botapi.markup import parse_reply_markup
from tests.botapi.state import JSON, InlineAnswer
from tests.botapi.text import format_text

if TYPE_CHECKING:
    from tests.botapi.api import BotApi
    from tests.botapi.args import Args

MAX_RESULTS = 50
MAX_NEXT_OFFSET_BYTES = 64
MAX_RESULT_ID_BYTES = 64
MAX_CALLBACK_TEXT = 200
RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)


async def answer_callback_query(api: BotApi, a: Args) -> Any:
    """Record the answer; unknown, expired and already answered queries get Telegram's 400."""
    query = api.callbacks.get(a.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    if api.expired(query.created):
        query.late_answers += 1
        raise bad_request(QUERY_TOO_OLD)
    text = a.text("text") or ""
    if len(text) > MAX_CALLBACK_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": a.flag("show_alert"),
        "url": a.text("url"),
        "cache_time": a.integer("cache_time"),
    }
    api.world.changed.notify()
    return True


def _result_error(message: str) -> Exception:
    return bad_request(f"can't parse inline query result: {message}")


def _field(result: JSON, name: str, kind: type) -> Any:
    if name not in result:
        raise _result_error(f'Can\'t find field "{name}"')
    value = result[name]
    if not isinstance(value, kind):
        type_name = "String" if kind is str else "Object"
        raise _result_error(f'Field "{name}" must be of type {type_name}')
    return value


def _message_content(api: BotApi, result: JSON) -> tuple[str, list[JSON]] | None:
    content = result.get("input_message_content")
    if content is None:
        if result["type"] == "article":
            raise _result_error('Can\'t find field "input_message_content"')
        return None
    if not isinstance(content, dict):
        raise _result_error('Field "input_message_content" must be of type Object')
    if "message_text" not in content:
        return None
    if not isinstance(content["message_text"], str):
        raise _result_error('Field "message_text" must be of type String')
    return format_text(
        content["message_text"],
        content.get("parse_mode"),
        content.get("entities"),
        strict=api.strict_html,
    )


def _check_result(api: BotApi, result: Any, seen: set[str]) -> tuple[str, list[JSON]] | None:
    if not isinstance(result, dict):
        raise _result_error("InlineQueryResult must be an Object")
    kind = _field(result, "type", str)
    if kind not in RESULT_TYPES:
        raise _result_error(f'Unsupported inline query result type "{kind}"')
    result_id = _field(result, "id", str)
    if not result_id or len(result_id.encode()) > MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if kind == "article":
        _field(result, "title", str)
    if "reply_markup" in result:
        parse_reply_markup(result["reply_markup"], inline_only=True)
    return _message_content(api, result)


async def answer_inline_query(api: BotApi, a: Args) -> Any:
    """Validate the results (<= 50, unique ids, message texts) and next_offset (<= 64 bytes)."""
    query = api.inline_queries.get(a.text("inline_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    if api.expired(query.created):
        query.late_answers += 1
        raise bad_request(QUERY_TOO_OLD)
    results = a.json("results", "inline query results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    next_offset = a.text("next_offset") or ""
    if len(next_offset.encode()) > MAX_NEXT_OFFSET_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    seen: set[str] = set()
    messages = [_check_result(api, result, seen) for result in results]
    button = a.json("button")
    query.answer = InlineAnswer(
        results=results,
        next_offset=next_offset,
        raw_next_offset=a.raw.get("next_offset"),
        cache_time=a.integer("cache_time") if a.has("cache_time") else None,
        is_personal=a.flag("is_personal"),
        button=button if isinstance(button, dict) else None,
        messages=messages,
        query=query,
    )
    api.world.changed.notify()
    return True


METHODS = {
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
}
