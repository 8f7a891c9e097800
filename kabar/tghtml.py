"""Telegram HTML: lengths as Telegram counts them, and a check that a text will be accepted."""

from __future__ import annotations

import html
from html.parser import HTMLParser

# Telegram measures text in UTF-16 code units; most emoji take two.
MAX_MESSAGE = 4096

_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Text that came from a feed or a user, made safe for parse_mode HTML."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """A value for an HTML attribute (href)."""
    return html.escape(text, quote=True)


class _Checker(HTMLParser):
    """Walks the markup, keeping the open tags and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self.error = self.error or f"tag <{tag}> is not allowed in Telegram HTML"
            return
        if tag == "a" and not dict(attrs).get("href"):
            self.error = self.error or "a link <a> needs an href"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f"</{tag}> does not close the open tag"
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check(text: str, *, limit: int = MAX_MESSAGE) -> str | None:
    """Why Telegram would reject `text` as an HTML message, or None if it is fine."""
    if "<" not in text and "&" not in text:
        visible = text
    else:
        checker = _Checker()
        checker.feed(text)
        checker.close()
        if checker.error:
            return checker.error
        if checker.stack:
            return f"<{checker.stack[-1]}> is never closed"
        visible = "".join(checker.visible)
    if not visible.strip():
        return "the message is empty"
    size = utf16_len(visible)
    if size > limit:
        return f"the message is {size} characters; Telegram allows {limit}"
    return None
