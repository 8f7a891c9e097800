"""A local Telegram Bot API server for end-to-end tests and delivery benchmarks."""

from tests.botapi.api import DEFAULT_TOKEN
from tests.botapi.handles import Press, TestChat, TestUser
from tests.botapi.limits import LimitConfig
from tests.botapi.server import BotApiServer

__all__ = ["DEFAULT_TOKEN", "BotApiServer", "LimitConfig", "Press", "TestChat", "TestUser"]
