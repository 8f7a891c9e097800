"""A Bot API call's arguments, read the way telegram-bot-api reads them (strings or JSON)."""

from __future__ import annotations

import json
from typing import Any

from tests.botapi.errors import bad_request

TRUE_STRINGS = frozenset({"true", "1", "True"})


class Args:
    """Arguments from a query string, a form body or a JSON body, with typed accessors."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def has(self, name: str) -> bool:
        """Whether the argument was given at all."""
        return name in self.raw

    def text(self, name: str) -> str | None:
        """As text: strings as sent, other JSON values encoded (as Telegram would see them)."""
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def integer(self, name: str, default: int = 0) -> int:
        """As an integer; like the Bot API, text that is not a number reads as 0."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            return 0

    def number(self, name: str, default: float = 0.0) -> float:
        """As a number."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            return default

    def flag(self, name: str) -> bool:
        """As a boolean ("true"/"1"/true)."""
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        return isinstance(value, str) and value.strip() in TRUE_STRINGS

    def json(self, name: str, what: str | None = None) -> Any:
        """A JSON argument: decoded from text (form bodies) or taken as is (JSON bodies)."""
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None
