"""Reduce HTML fragments (item content, titles) to plain text."""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

_BLOCK_END = re.compile(
    r"(?i)(<\s*br\b[^>]*>|</\s*(?:p|div|h[1-6]|li|tr|blockquote|section|article|figure|pre)\s*>)"
)
_LOOKS_HTML = re.compile(r"<\s*[a-zA-Z!/][^>]*>|&[#a-zA-Z0-9]{1,10};")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # PostgreSQL refuses NUL
_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template")


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment: paragraphs on their own lines, whitespace collapsed."""
    if not fragment or not fragment.strip():
        return ""
    if not _LOOKS_HTML.search(fragment):
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(_BLOCK_END.sub(r"\1\n", fragment), create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    return _tidy(root.text_content())


def inline_text(fragment: str, limit: int | None = None) -> str:
    """HTML or plain text as one line (titles, names), cut at `limit` characters."""
    text = " ".join(html_to_text(fragment).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_line(value: str | None, limit: int) -> str | None:
    """A plain field (GUID, URL, name) without control characters, or None if empty or too long."""
    if value is None:
        return None
    value = _CONTROL.sub("", str(value)).strip()
    return value if value and len(value) <= limit else None


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", _CONTROL.sub("", text))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
