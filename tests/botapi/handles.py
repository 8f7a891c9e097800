"""The in-process test API: users and chats that act, and what the bot sent them, awaitable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from tests.botapi.state import (
    JSON,
    CallbackQuery,
    Chat,
    Event,
    InlineAnswer,
    InlineMessage,
    InlineQuery,
    Message,
    User,
)

if TYPE_CHECKING:
    from tests.botapi.server import BotApiServer

T = TypeVar("T")
Match = Callable[[Message], bool] | str | None
DEFAULT_TIMEOUT = 5.0
POLL = 0.02  # re-check this often too, for conditions on state outside the server


def _matches(match: Match, message: Message) -> bool:
    if match is None:
        return True
    if isinstance(match, str):
        return match in (message.text or "")
    return match(message)


async def wait_until(
    server: BotApiServer, check: Callable[[], T | None], timeout: float, what: str
) -> T:
    """Re-check `check` on every change of the server's state (and every POLL seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await server.api.world.changed.wait(min(left, POLL))


class TestChat:
    """A chat as a test sees it: its messages from the bot, in order, and group controls."""

    __test__ = False  # not a pytest test class

    def __init__(self, server: BotApiServer, chat: Chat):
        self.server = server
        self.chat = chat
        self._cursor = len(server.api.world.journal)

    def __repr__(self) -> str:
        return f"<TestChat {self.chat.type} {self.chat.id}>"

    @property
    def id(self) -> int:
        """The chat id."""
        return self.chat.id

    @property
    def type(self) -> str:
        """private, group, supergroup or channel."""
        return self.chat.type

    @property
    def messages(self) -> list[Message]:
        """Every message the bot sent here, oldest first, as they are now (deleted ones too)."""
        return [m for m in self.chat.messages.values() if m.from_bot]

    @property
    def last(self) -> Message:
        """The bot's latest message here."""
        sent = self.messages
        if not sent:
            raise LookupError(f"the bot sent nothing to chat {self.id}")
        return sent[-1]

    def events(self, kinds: Iterable[str] = ("sent", "edited", "deleted")) -> list[Event]:
        """The journal of bot actions in this chat (texts as they were at each moment)."""
        wanted = set(kinds)
        return [
            e for e in self.server.api.world.journal if e.chat_id == self.id and e.kind in wanted
        ]

    def skip(self) -> None:
        """Forget everything so far: next_message/next_event wait for what comes after."""
        self._cursor = len(self.server.api.world.journal)

    async def next_event(
        self,
        kinds: Iterable[str] = ("sent", "edited", "deleted"),
        *,
        match: Match = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Event:
        """The next bot action here after the last one returned; waits up to `timeout` s."""
        wanted = set(kinds)

        def check() -> Event | None:
            journal = self.server.api.world.journal
            while self._cursor < len(journal):
                event = journal[self._cursor]
                self._cursor += 1
                if (
                    event.chat_id == self.id
                    and event.kind in wanted
                    and _matches(match, event.message)
                ):
                    return event
            return None

        return await wait_until(self.server, check, timeout, f"{sorted(wanted)} in chat {self.id}")

    async def next_message(
        self, *, match: Match = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Message:
        """The next message the bot sends here (`match`: a predicate or a substring)."""
        return (await self.next_event(("sent",), match=match, timeout=timeout)).message

    async def next_edit(self, *, match: Match = None, timeout: float = DEFAULT_TIMEOUT) -> Event:
        """The next edit the bot makes here."""
        return await self.next_event(("edited",), match=match, timeout=timeout)

    def set_member(self, user: TestUser, status: str, *, by: TestUser | None = None) -> None:
        """Set a member's status (creator, administrator, member, left, kicked)."""
        actor = by.user if by else None
        self.server.simulator.set_member(self.chat, user.user, status, actor)

    def add_bot(self, by: TestUser, *, admin: bool = False) -> None:
        """Someone adds the bot (my_chat_member, and a new_chat_members message in groups)."""
        status = "administrator" if admin else "member"
        self.server.simulator.set_bot_status(self.chat, by.user, status)

    def remove_bot(self, by: TestUser) -> None:
        """Someone removes the bot: my_chat_member "kicked"; sends fail with 403 after."""
        self.server.simulator.set_bot_status(self.chat, by.user, "kicked")

    def migrate(self, by: TestUser | None = None) -> TestChat:
        """Upgrade this basic group to a supergroup; returns the new chat."""
        new = self.server.simulator.migrate(self.chat, by.user if by else None)
        return self.server.chat(new.id)


class Press:
    """A callback query a user caused; await `answer()` for what the bot answered."""

    def __init__(self, server: BotApiServer, query: CallbackQuery):
        self.server = server
        self.query = query

    @property
    def id(self) -> str:
        """The callback query id."""
        return self.query.id

    async def answer(self, timeout: float = DEFAULT_TIMEOUT) -> JSON:
        """The bot's answerCallbackQuery arguments (text, show_alert, url, cache_time)."""
        query = self.query
        return await wait_until(
            self.server, lambda: query.answer, timeout, f"an answer to callback query {query.id}"
        )


class TestUser:
    """A user who writes to the bot, presses buttons and uses inline mode."""

    __test__ = False  # not a pytest test class

    def __init__(self, server: BotApiServer, user: User):
        self.server = server
        self.user = user
        self.chat = TestChat(server, server.api.world.chats[user.id])

    def __repr__(self) -> str:
        return f"<TestUser {self.user.id} {self.user.first_name!r}>"

    @property
    def id(self) -> int:
        """The user id (also their private chat's id)."""
        return self.user.id

    @property
    def messages(self) -> list[Message]:
        """What the bot sent this user in private."""
        return self.chat.messages

    async def send(
        self,
        text: str,
        *,
        chat: TestChat | None = None,
        thread_id: int | None = None,
        reply_to: Message | int | None = None,
        entities: list[JSON] | None = None,
    ) -> Message:
        """Write to the bot (or in a group): a message update with bot_command entities."""
        target = chat.chat if chat else self.chat.chat
        reply_id = reply_to.message_id if isinstance(reply_to, Message) else reply_to
        message = self.server.simulator.message(
            self.user, target, text, thread_id=thread_id, reply_to=reply_id, entities=entities
        )
        await asyncio.sleep(0)
        return message

    async def next_message(
        self, *, match: Match = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Message:
        """The next message the bot sends this user in private."""
        return await self.chat.next_message(match=match, timeout=timeout)

    async def press(
        self,
        message: Message,
        button: str | None = None,
        *,
        data: str | None = None,
        forge: bool = False,
        inaccessible: bool = False,
    ) -> Press:
        """Press a callback button by its text or callback_data (`forge`: data not on it)."""
        if data is None:
            if button is None:
                raise ValueError("press needs a button text or data=")
            found = next(
                (b for b in message.buttons if button in (b.get("text"), b.get("callback_data"))),
                None,
            )
            if found is None or "callback_data" not in found:
                raise LookupError(
                    f"no callback button {button!r} on message {message.message_id}: "
                    f"{message.button_texts}"
                )
            data = str(found["callback_data"])
        elif not forge and data not in message.callback_data:
            raise LookupError(f"no button with data {data!r}: {message.callback_data}")
        query = self.server.simulator.press(self.user, message, data, inaccessible=inaccessible)
        await asyncio.sleep(0)
        return Press(self.server, query)

    def start_inline_query(
        self, query: str, offset: str = "", *, chat_type: str | None = "sender"
    ) -> InlineQuery:
        """Send an inline query without waiting for the answer."""
        return self.server.simulator.inline_query(self.user, query, offset, chat_type)

    async def inline_query(
        self,
        query: str,
        offset: str = "",
        *,
        chat_type: str | None = "sender",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> InlineAnswer:
        """Send "@bot query" (at `offset`) and wait for the bot's answerInlineQuery."""
        record = self.start_inline_query(query, offset, chat_type=chat_type)
        return await wait_until(
            self.server, lambda: record.answer, timeout, f"an answer to inline query {query!r}"
        )

    async def choose(
        self, answer: InlineAnswer, result_id: str, *, chat: TestChat | None = None
    ) -> InlineMessage | None:
        """Pick a result: the bot gets chosen_inline_result; returns the posted message."""
        if answer.query is None:
            raise ValueError("this answer is not tied to an inline query")
        posted = self.server.simulator.choose(
            self.user, answer.query, result_id, chat.chat if chat else None
        )
        await asyncio.sleep(0)
        return posted

    def block_bot(self) -> None:
        """Block the bot (my_chat_member "kicked"; sends get 403 blocked)."""
        self.server.simulator.block(self.user)

    def unblock_bot(self) -> None:
        """Unblock (restart) the bot."""
        self.server.simulator.unblock(self.user)

    def deactivate(self) -> None:
        """Delete the account: sends get 403 "user is deactivated"."""
        self.user.deactivated = True


def describe_answer(answer: InlineAnswer) -> dict[str, Any]:
    """An inline answer as JSON (for the control API)."""
    return {
        "results": answer.results,
        "next_offset": answer.next_offset,
        "raw_next_offset": answer.raw_next_offset,
        "cache_time": answer.cache_time,
        "is_personal": answer.is_personal,
        "button": answer.button,
        "messages": [
            None if m is None else {"text": m[0], "entities": m[1]} for m in answer.messages
        ],
    }
