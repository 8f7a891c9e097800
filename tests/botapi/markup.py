"""reply_markup validation with the Bot API's rules and error texts."""

from __future__ import annotations

import functools
import json
from typing import Any

from tests.botapi.errors import bad_request
from tests.botapi.text import checked_link

MAX_CALLBACK_DATA_BYTES = 64
# Button kinds an inline keyboard button may carry; Telegram wants exactly one of them.
INLINE_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_OBJECT_KINDS = frozenset(
    {"web_app", "login_url", "switch_inline_query_chosen_chat", "copy_text", "callback_game"}
)
# An empty string counts as "not given" for these (the Bot API reads them as optional strings).
_NONEMPTY_STRING_KINDS = frozenset({"url", "callback_data"})
_STRING_KINDS = frozenset(
    {"url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat"}
)

Markup = dict[str, Any]


def decode(value: Any) -> Any:
    """A reply_markup argument as JSON: form bodies carry it encoded, JSON bodies as an object."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None


def parse_reply_markup(value: Any, *, inline_only: bool = False) -> Markup | None:
    """The validated markup to store, None when absent; raises the ApiError Telegram would.

    The result may be shared between messages with the same input: do not mutate it.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _parse_text(value, inline_only)
    return _parse(value, inline_only)


@functools.lru_cache(maxsize=1024)
def _parse_text(value: str, inline_only: bool) -> Markup | None:
    # A broadcast sends one keyboard to every chat: parse it once, share the result.
    return _parse(decode(value), inline_only)


def _parse(markup: Any, inline_only: bool) -> Markup | None:
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _inline_keyboard(markup["inline_keyboard"])}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        return {**markup, "keyboard": _reply_keyboard(markup["keyboard"])}
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return dict(markup)
    return None


def _rows(value: Any, field: str) -> list[list[Any]]:
    if not isinstance(value, list):
        raise bad_request(f'field "{field}" must be of type Array')
    for row in value:
        if not isinstance(row, list):
            raise bad_request(f'field "{field}" must be an Array of Arrays')
    return value


def _inline_keyboard(value: Any) -> list[list[dict[str, Any]]]:
    return [[inline_button(button) for button in row] for row in _rows(value, "inline_keyboard")]


def _button_error(message: str) -> Exception:
    return bad_request(f"can't parse inline keyboard button: {message}")


def inline_button(button: Any) -> dict[str, Any]:
    """One InlineKeyboardButton, checked: text, exactly one kind, callback_data <= 64 bytes."""
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise _button_error('Field "text" must be of type String')
    kinds = [kind for kind in INLINE_KINDS if _given(button, kind)]
    if not kinds:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(kinds) > 1:
        # Telegram silently uses the first; the test server refuses, as the docs say "exactly one".
        raise _button_error(
            f"exactly one of the optional fields must be used, got {', '.join(kinds)} "
            "(the Kabar test server is stricter than Telegram here)"
        )
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    kind = kinds[0]
    if kind == "callback_data" and len(button[kind].encode()) > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if kind == "url" and checked_link(button[kind]) is None:
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _given(button: dict[str, Any], kind: str) -> bool:
    if kind not in button or button[kind] is None:
        return False
    value = button[kind]
    if kind in _STRING_KINDS and not isinstance(value, str):
        raise _button_error(f'Field "{kind}" must be of type String')
    if kind in _OBJECT_KINDS and not isinstance(value, dict):
        raise _button_error(f'Field "{kind}" must be of type Object')
    if kind == "pay":
        return value is True
    return not (kind in _NONEMPTY_STRING_KINDS and value == "")


def _reply_keyboard(value: Any) -> list[list[dict[str, Any]]]:
    rows = _rows(value, "keyboard")
    result: list[list[dict[str, Any]]] = []
    for row in rows:
        out: list[dict[str, Any]] = []
        for item in row:
            button = {"text": item} if isinstance(item, str) else item
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: Can't find field \"text\"")
            out.append(dict(button))
        result.append(out)
    return result


def buttons(markup: Markup | None) -> list[dict[str, Any]]:
    """Every inline button of a markup, row by row."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
