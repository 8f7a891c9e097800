"""The server's world: users, chats, members, messages, and a journal of what the bot did."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from tests.botapi.markup import buttons

JSON = dict[str, Any]
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
PRESENT = frozenset({"creator", "administrator", "member", "restricted"})
ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def now_ts() -> int:
    """Unix time in whole seconds, as Telegram dates are."""
    return int(time.time())


@dataclass(eq=False, slots=True)
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = True  # pressed Start: the bot may write to them
    blocked: bool = False  # blocked the bot
    deactivated: bool = False

    def to_api(self) -> JSON:
        """The User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(eq=False, slots=True)
class Message:
    """A message in a chat, from the bot or from a user; mutable (edits), with its history."""

    chat: Chat
    message_id: int
    date: int
    sender: User | None  # None: the bot
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    thread_id: int | None = None
    reply_to: int | None = None
    link_preview: JSON | None = None
    service: JSON | None = None  # e.g. {"migrate_to_chat_id": ...}
    via_bot: bool = False
    edit_date: int | None = None
    deleted: bool = False
    history: list[tuple[str | None, list[JSON], JSON | None]] = field(default_factory=list)
    params: JSON | None = None  # the arguments the bot sent, as received (not in lean mode)

    @property
    def chat_id(self) -> int:
        """The chat this message is in."""
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent it."""
        return self.sender is None

    @property
    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row by row."""
        return buttons(self.reply_markup)

    def button(self, text: str) -> JSON:
        """The inline button whose text is `text` (KeyError if there is none)."""
        for button in self.buttons:
            if button.get("text") == text:
                return button
        raise KeyError(f"no button {text!r} on message {self.message_id}: {self.button_texts}")

    @property
    def button_texts(self) -> list[str]:
        """The texts of the inline buttons."""
        return [str(b.get("text")) for b in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every callback button."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def to_api(self, bot: User, *, nested: bool = False) -> JSON:
        """The Message object as the Bot API returns and delivers it."""
        data: JSON = {
            "message_id": self.message_id,
            "from": (self.sender or bot).to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.chat.type == "channel":  # channel posts are signed by the channel
            data.pop("from")
            data["sender_chat"] = self.chat.to_api()
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
            if self.chat.is_forum:
                data["is_topic_message"] = True
        if self.reply_to is not None and not nested:
            original = self.chat.messages.get(self.reply_to)
            if original is not None:
                # One level only, as Telegram does: the replied-to message has no reply_to_message.
                data["reply_to_message"] = original.to_api(bot, nested=True)
        if self.via_bot:
            data["via_bot"] = bot.to_api()
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.link_preview:
            data["link_preview_options"] = self.link_preview
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.service:
            data.update(self.service)
        return data


@dataclass(eq=False, slots=True)
class Chat:
    """A private chat, group, supergroup or channel; its members and its messages."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user: User | None = None  # the other side of a private chat
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    bot_status: str = "member"
    migrated_to: int | None = None
    migrated_from: int | None = None
    next_message_id: int = 1
    messages: dict[int, Message] = field(default_factory=dict)
    sent: int = 0  # messages the bot sent here (kept in lean mode too)
    bot_id: int = 0

    def to_api(self) -> JSON:
        """The Chat object."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        if self.type == "group":
            data["all_members_are_administrators"] = False
        return data

    def full_info(self) -> JSON:
        """The ChatFullInfo object getChat returns."""
        data = self.to_api()
        data.pop("all_members_are_administrators", None)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if self.migrated_from is not None:
            data["migrated_from_chat_id"] = self.migrated_from
        return data

    def status_of(self, user_id: int) -> str:
        """A user's membership status here ("left" when unknown)."""
        if self.type == "private" and self.user is not None:
            # Two parties; derived rather than stored, to keep 100,000 chats small.
            if user_id == self.user.id:
                return "member"
            if user_id == self.bot_id:
                return "kicked" if self.user.blocked else "member"
            return "left"
        return self.members.get(user_id, "left")

    def is_admin(self, user_id: int) -> bool:
        """Creator or administrator."""
        return self.status_of(user_id) in ("creator", "administrator")


@dataclass(slots=True)
class Event:
    """One thing the bot did to a chat, with the message as it was at that moment."""

    seq: int
    kind: str  # "sent", "edited", "deleted"
    message: Message
    text: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    thread_id: int | None
    at: float

    @property
    def chat_id(self) -> int:
        """The chat."""
        return self.message.chat.id

    @property
    def message_id(self) -> int:
        """The message."""
        return self.message.message_id


class Signal:
    """Wakes every waiter when something changes; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Something changed."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, timeout: float) -> None:
        """Until the next change or `timeout` seconds (no error on timeout)."""
        if timeout <= 0:
            return
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return


class World:
    """Users, chats and messages; the journal of bot actions (not kept in lean mode)."""

    def __init__(
        self,
        bot: User,
        *,
        lean: bool = False,
        lean_keep: int = 3,
        auto_users: bool = False,
    ):
        self.bot = bot
        self.lean = lean
        self.lean_keep = lean_keep
        self.auto_users = auto_users
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.usernames: dict[str, int] = {}
        self.journal: list[Event] = []
        self.changed = Signal()
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._super_ids = itertools.count(1_000_000_000_001)

    def add_user(
        self,
        first_name: str = "Test",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
        started: bool = True,
    ) -> User:
        """A user and their private chat with the bot."""
        user_id = id if id is not None else next(self._user_ids)
        user = User(
            user_id, first_name, last_name, username, language_code, is_bot, started=started
        )
        self.users[user_id] = user
        self.chats[user_id] = Chat(user_id, "private", user=user, bot_id=self.bot.id)
        if username:
            self.usernames[username.lower()] = user_id
        return user

    def add_chat(
        self,
        kind: str,
        *,
        id: int | None = None,
        title: str | None = None,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: str = "member",
    ) -> Chat:
        """A group, supergroup or channel (the bot is in it with `bot_status`)."""
        if kind not in ("group", "supergroup", "channel"):
            raise ValueError(f"chat type must be group, supergroup or channel, not {kind!r}")
        if id is None:
            id = -next(self._group_ids) if kind == "group" else -next(self._super_ids)
        chat = Chat(
            id,
            kind,
            title=title or f"Test {kind} {-id}",
            username=username,
            is_forum=is_forum,
            bot_id=self.bot.id,
        )
        chat.bot_status = bot_status
        chat.members[self.bot.id] = bot_status
        self.chats[id] = chat
        if username:
            self.usernames[username.lower()] = id
        return chat

    def chat(self, chat_id: int) -> Chat | None:
        """The chat with this id; with auto_users, an unknown positive id becomes a new user."""
        chat = self.chats.get(chat_id)
        if chat is None and self.auto_users and chat_id > 0:
            self.add_user(f"User {chat_id}", id=chat_id)
            chat = self.chats[chat_id]
        return chat

    def by_username(self, name: str) -> Chat | None:
        """The chat for "@name"."""
        chat_id = self.usernames.get(name.lstrip("@").lower())
        return None if chat_id is None else self.chats.get(chat_id)

    def new_message(self, chat: Chat, sender: User | None, **fields: Any) -> Message:
        """Append a message to a chat (the next message id there)."""
        message = Message(chat, chat.next_message_id, now_ts(), sender, **fields)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if self.lean and len(chat.messages) > self.lean_keep:
            del chat.messages[next(iter(chat.messages))]
        return message

    def record(self, kind: str, message: Message) -> None:
        """Journal a bot action (unless lean) and wake the waiters."""
        if not self.lean:
            self.journal.append(
                Event(
                    len(self.journal),
                    kind,
                    message,
                    message.text,
                    list(message.entities),
                    message.reply_markup,
                    message.thread_id,
                    time.monotonic(),
                )
            )
        self.changed.notify()


@dataclass(eq=False)
class CallbackQuery:
    """A button press the bot was sent, and how (and whether) it was answered."""

    id: str
    user: User
    data: str | None
    message: Message | None
    inline_message_id: str | None = None
    created: float = field(default_factory=time.monotonic)
    answer: JSON | None = None
    late_answers: int = 0  # answerCallbackQuery calls after the query had expired

    @property
    def answered(self) -> bool:
        """Whether the bot answered it in time."""
        return self.answer is not None


@dataclass(eq=False)
class InlineAnswer:
    """What the bot answered to an inline query, as received and as parsed."""

    results: list[JSON]
    next_offset: str
    raw_next_offset: Any  # the next_offset argument exactly as it arrived (None: not sent)
    cache_time: int | None
    is_personal: bool
    button: JSON | None
    messages: list[tuple[str, list[JSON]] | None]  # parsed input_message_content per result
    query: InlineQuery | None = None  # the query this answers

    def ids(self) -> list[str]:
        """The result ids in order."""
        return [str(r["id"]) for r in self.results]


@dataclass(eq=False)
class InlineQuery:
    """An inline query the bot was sent."""

    id: str
    user: User
    query: str
    offset: str
    chat_type: str | None
    created: float = field(default_factory=time.monotonic)
    answer: InlineAnswer | None = None
    late_answers: int = 0


@dataclass(eq=False)
class InlineMessage:
    """A message a user posted by choosing an inline result (editable by inline_message_id)."""

    id: str
    chat: Chat
    user: User
    text: str
    entities: list[JSON]
    reply_markup: JSON | None
    edit_count: int = 0
