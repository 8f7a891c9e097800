"""Message catalogs (gettext .po per language) and a translator that escapes its arguments."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "kabar"
LANGUAGES = ("id", "en")


class Safe(str):
    """Text already in Telegram HTML; the translator inserts it unescaped."""

    __slots__ = ()


@cache
def catalog(language: str) -> dict[str, str]:
    """Every message of one language, by message id."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        po = read_po(fh, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def message_ids(language: str) -> set[str]:
    """The ids one catalog defines (translated or not), for the completeness test."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


def t(language: str, key: str, /, **params: Any) -> str:
    """The message `key` in `language` (falling back to English), with params HTML-escaped."""
    text = catalog(language if language in LANGUAGES else "en").get(key)
    if text is None:
        text = catalog("en").get(key, key)
    if not params:
        return text
    escaped = {
        k: v if isinstance(v, Safe) else html.escape(str(v), quote=False) for k, v in params.items()
    }
    return text.format(**escaped)
