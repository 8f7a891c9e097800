"""The Bot API methods the server implements, by lower-case name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tests.botapi.args import Args

if TYPE_CHECKING:
    from tests.botapi.api import BotApi

Handler = Callable[["BotApi", Args], Awaitable[Any]]


def _registry() -> dict[str, tuple[str, Handler]]:
    from tests.botapi.methods import bot, chats, messages, queries

    table: dict[str, tuple[str, Handler]] = {}
    for module in (bot, chats, messages, queries):
        for name, handler in module.METHODS.items():
            table[name.lower()] = (name, handler)
    return table


REGISTRY = _registry()
