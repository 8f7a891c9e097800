"""Language codes as feeds write them ("id-ID", "in", "en-us") reduced to ISO 639-1."""

from __future__ import annotations

import re

_ALIASES = {"in": "id", "ind": "id", "eng": "en", "msa": "ms", "may": "ms", "jav": "jv"}
_CODE = re.compile(r"^[a-z]{2,3}$")


def normalize_language(value: str | None) -> str | None:
    """The primary subtag in lower case ("id" for "id-ID" and the old "in"), or None."""
    if not value or not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    primary = _ALIASES.get(primary, primary)
    return primary if _CODE.match(primary) else None


def is_default_english(value: str | None) -> bool:
    """Whether a feed's declaration is the "en-US" that blogging tools write by default.

    Many Indonesian WordPress sites never change it, so that one value is checked, not trusted.
    """
    return bool(value) and str(value).strip().lower() in ("en-us", "en_us")
