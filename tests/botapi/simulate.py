"""What users do, turned into the updates Telegram would send the bot."""

from __future__ import annotations

from tests.botapi.api import BotApi
from tests.botapi.methods.chats import member_json
from tests.botapi.state import (
    JSON,
    CallbackQuery,
    Chat,
    InlineMessage,
    InlineQuery,
    Message,
    User,
    now_ts,
)
from tests.botapi.text import command_entities


class Simulator:
    """Builds and queues updates as Telegram would, keeping the server's state consistent."""

    def __init__(self, api: BotApi):
        self.api = api

    @property
    def bot(self) -> User:
        """The bot."""
        return self.api.bot

    def _push(self, kind: str, payload: JSON) -> JSON | None:
        return self.api.updates.push(kind, payload)

    def message(
        self,
        user: User,
        chat: Chat,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        entities: list[JSON] | None = None,
    ) -> Message:
        """A user writes in a chat (a private chat with the bot, or a group they are in)."""
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was migrated to {chat.migrated_to}")
        if chat.type == "private":
            if chat.user is not user:
                raise ValueError(f"user {user.id} cannot write in the private chat {chat.id}")
            if user.blocked:
                self.unblock(user)  # writing to a blocked bot means pressing "Restart"
            user.started = True
        elif chat.status_of(user.id) not in ("creator", "administrator", "member"):
            chat.members[user.id] = "member"
        message = self.api.world.new_message(
            chat,
            user,
            text=text,
            entities=command_entities(text) if entities is None else entities,
            thread_id=thread_id,
            reply_to=reply_to,
        )
        self._push("channel_post" if chat.type == "channel" else "message", self._api(message))
        return message

    def _api(self, message: Message) -> JSON:
        return message.to_api(self.bot)

    def press(
        self, user: User, message: Message, data: str, *, inaccessible: bool = False
    ) -> CallbackQuery:
        """A user presses a callback button on a message the bot sent (stale ones too)."""
        if message.deleted:
            raise ValueError(f"message {message.message_id} was deleted: nothing to press")
        query = CallbackQuery(self.api.next_query_id(), user, data, message)
        self.api.callbacks[query.id] = query
        shown: JSON = self._api(message)
        if inaccessible:  # Telegram's InaccessibleMessage for very old messages
            shown = {"chat": message.chat.to_api(), "message_id": message.message_id, "date": 0}
        payload = {
            "id": query.id,
            "from": user.to_api(),
            "message": shown,
            "chat_instance": str(abs(message.chat.id) * 7919 % 10**18),
            "data": data,
        }
        self._push("callback_query", payload)
        return query

    def inline_query(
        self, user: User, query: str, offset: str = "", chat_type: str | None = "sender"
    ) -> InlineQuery:
        """A user types "@bot query" (offset "" for the first page, next_offset after)."""
        record = InlineQuery(self.api.next_query_id(), user, query, offset, chat_type)
        self.api.inline_queries[record.id] = record
        payload: JSON = {
            "id": record.id,
            "from": user.to_api(),
            "query": query,
            "offset": offset,
        }
        if chat_type:
            payload["chat_type"] = chat_type
        self._push("inline_query", payload)
        return record

    def choose(
        self, user: User, query: InlineQuery, result_id: str, chat: Chat | None = None
    ) -> InlineMessage | None:
        """A user picks an inline result: chosen_inline_result, and the message it posts."""
        answer = query.answer
        if answer is None:
            raise ValueError(f"inline query {query.id} has no answer to choose from")
        ids = answer.ids()
        if result_id not in ids:
            raise ValueError(f"no result {result_id!r} in the answer: {ids}")
        index = ids.index(result_id)
        result, content = answer.results[index], answer.messages[index]
        posted: InlineMessage | None = None
        payload: JSON = {"result_id": result_id, "from": user.to_api(), "query": query.query}
        if content is not None:
            markup = result.get("reply_markup")
            posted = InlineMessage(
                self.api.next_query_id(),
                chat or self.api.world.chats[user.id],
                user,
                content[0],
                content[1],
                markup if isinstance(markup, dict) else None,
            )
            self.api.inline_messages[posted.id] = posted
            if posted.reply_markup:  # Telegram only gives the id when there is a keyboard
                payload["inline_message_id"] = posted.id
        self._push("chosen_inline_result", payload)
        self.api.world.changed.notify()
        return posted

    def member_update(self, chat: Chat, actor: User, member: User, old: str, new: str) -> None:
        """my_chat_member (for the bot) or chat_member (for anyone else)."""
        kind = "my_chat_member" if member is self.bot else "chat_member"
        self._push(
            kind,
            {
                "chat": chat.to_api(),
                "from": actor.to_api(),
                "date": now_ts(),
                "old_chat_member": member_json(member, old),
                "new_chat_member": member_json(member, new),
            },
        )

    def block(self, user: User) -> None:
        """The user blocks the bot: sends fail with 403 until they unblock."""
        if user.blocked:
            return
        user.blocked = True
        self.member_update(self.api.world.chats[user.id], user, self.bot, "member", "kicked")

    def unblock(self, user: User) -> None:
        """The user restarts the bot."""
        if not user.blocked:
            return
        user.blocked = False
        self.member_update(self.api.world.chats[user.id], user, self.bot, "kicked", "member")

    def set_bot_status(self, chat: Chat, actor: User, status: str) -> None:
        """Add the bot to a group/channel, promote it, or remove it ("kicked"/"left")."""
        old = chat.bot_status
        if old == status:
            return
        chat.bot_status = status
        chat.members[self.bot.id] = status
        self.member_update(chat, actor, self.bot, old, status)
        joined = old in ("left", "kicked") and status in ("member", "administrator")
        if joined and chat.type in ("group", "supergroup"):
            message = self.api.world.new_message(
                chat, actor, service={"new_chat_members": [self.bot.to_api()]}
            )
            self._push("message", self._api(message))

    def set_member(self, chat: Chat, user: User, status: str, actor: User | None = None) -> None:
        """Change a member's status; a chat_member update (if the bot asked for them)."""
        old = chat.status_of(user.id)
        chat.members[user.id] = status
        if old != status:
            self.member_update(chat, actor or user, user, old, status)

    def migrate(self, chat: Chat, actor: User | None = None) -> Chat:
        """A basic group becomes a supergroup; both service messages reach the bot."""
        if chat.type != "group" or chat.migrated_to is not None:
            raise ValueError(f"only a basic group can be migrated, not {chat.type} {chat.id}")
        world = self.api.world
        new = world.add_chat("supergroup", title=chat.title, bot_status=chat.bot_status)
        new.members.update(chat.members)
        new.migrated_from = chat.id
        who = actor or self._creator(chat)
        old_note = world.new_message(chat, who, service={"migrate_to_chat_id": new.id})
        chat.migrated_to = new.id
        self._push("message", self._api(old_note))
        new_note = world.new_message(new, who, service={"migrate_from_chat_id": chat.id})
        self._push("message", self._api(new_note))
        return new

    def _creator(self, chat: Chat) -> User:
        for user_id, status in chat.members.items():
            if status == "creator" and user_id in self.api.world.users:
                return self.api.world.users[user_id]
        for user in self.api.world.users.values():
            if not user.is_bot:
                return user
        raise ValueError("a migration needs a user to perform it: create one first")
