"""The Bot API without HTTP: the server's state, the method table and the checks methods share."""

from __future__ import annotations

import time
from typing import Any

from tests.botapi.args import Args
from tests.botapi.counters import Counters
from tests.botapi.errors import CHAT_NOT_FOUND, ApiError, bad_request, forbidden, migrated
from tests.botapi.faults import Faults
from tests.botapi.limits import LimitConfig, Limiter
from tests.botapi.methods import REGISTRY, Handler
from tests.botapi.state import (
    JSON,
    CallbackQuery,
    Chat,
    InlineMessage,
    InlineQuery,
    User,
    World,
)
from tests.botapi.text import format_text
from tests.botapi.updates import UpdateQueue

# The shape of a real token (bot id, colon, 35 characters); the id is the bot's user id.
DEFAULT_TOKEN = "7000000001:AAKabarLocalBotApiTestTokenXXXXXXXX"


class BotApi:
    """Everything the server knows and does; the HTTP layer only parses and renders."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "kabar_test_bot",
        bot_name: str = "Kabar Test",
        limits: LimitConfig | None = None,
        lean: bool = False,
        lean_keep: int = 3,
        auto_users: bool = False,
        strict_html: bool = True,
        query_timeout: float = 15.0,
        seed: int = 0,
    ):
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.world = World(self.bot, lean=lean, lean_keep=lean_keep, auto_users=auto_users)
        self.updates = UpdateQueue()
        self.limiter = Limiter(limits or LimitConfig(enabled=False))
        self.faults = Faults(seed)
        self.counters = Counters()
        self.strict_html = strict_html
        self.query_timeout = query_timeout
        self.callbacks: dict[str, CallbackQuery] = {}
        self.inline_queries: dict[str, InlineQuery] = {}
        self.inline_messages: dict[str, InlineMessage] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.webhook: JSON = {"url": ""}
        self.settings: dict[str, Any] = {}
        self._query_ids = 0

    @staticmethod
    def lookup(method: str) -> tuple[str, Handler] | None:
        """(canonical name, handler) for a method name in any letter case."""
        return REGISTRY.get(method.lower())

    async def call(self, method: str, raw: dict[str, Any]) -> Any:
        """Run one method directly (no HTTP, no faults): the result or an ApiError."""
        found = self.lookup(method)
        if found is None:
            raise ApiError(404, "Not Found")
        return await found[1](self, Args(raw))

    def next_query_id(self) -> str:
        """A fresh callback or inline query id (Telegram's are long decimal strings)."""
        self._query_ids += 1
        return str(4_242_000_000_000_000_000 + self._query_ids)

    # --- shared checks -------------------------------------------------------------------

    def chat(self, args: Args, *, for_send: bool = False, name: str = "chat_id") -> Chat:
        """The chat an argument names (id or @username); 400 as Telegram words it."""
        raw = args.raw.get(name)
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat: Chat | None
        if isinstance(raw, str) and raw.strip().startswith("@"):
            chat = self.world.by_username(raw.strip())
        else:
            chat_id = args.integer(name)
            chat = self.world.chat(chat_id) if chat_id else None
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        if for_send and chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        return chat

    def check_can_write(self, chat: Chat) -> None:
        """403 when the bot may not write to this chat (blocked, kicked, never started...)."""
        if chat.type == "private":
            user = chat.user
            if user is None:
                raise bad_request(CHAT_NOT_FOUND)
            if user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
            raise bad_request("need administrator rights in the channel chat")

    def rate(self, chat: Chat, paid: bool) -> None:
        """Count one message against the limits, or raise the 429."""
        verdict = self.limiter.check(chat.id, chat.type, paid, time.monotonic())
        if verdict is not None:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {verdict.retry_after}",
                {"retry_after": verdict.retry_after},
                scope=verdict.scope,
            )

    def text(
        self, args: Args, *, text: str = "text", parse_mode: str = "parse_mode"
    ) -> tuple[str, list[JSON]]:
        """Parse a message text argument with its parse mode or entities."""
        entities = args.json("entities") if args.has("entities") else None
        return format_text(
            args.text(text), args.text(parse_mode), entities, strict=self.strict_html
        )

    def expired(self, created: float) -> bool:
        """Whether a query is past the time Telegram allows for an answer."""
        return time.monotonic() - created > self.query_timeout

    def reset(self, *, keep_chats: bool = False) -> None:
        """Forget messages, updates, queries, faults and counters (and chats unless kept)."""
        world = self.world
        if keep_chats:
            for chat in world.chats.values():
                chat.messages.clear()
                chat.sent = 0
            world.journal.clear()
        else:
            self.world = World(
                self.bot, lean=world.lean, lean_keep=world.lean_keep, auto_users=world.auto_users
            )
        self.updates.clear()
        self.callbacks.clear()
        self.inline_queries.clear()
        self.inline_messages.clear()
        self.faults.remove()
        self.counters = Counters()
        self.limiter.rebuild()
        self.limiter.flood_until = 0.0
        self.limiter.refused.clear()
