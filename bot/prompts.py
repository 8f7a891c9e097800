"""A question the bot asked and whose answer is the user's next text (a time, a zone, a word)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from telegram import ForceReply

from bot.turn import Turn

PROMPT_KEY = "kabar.prompt"
PROMPT_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Prompt:
    """What answer is awaited, from whom, until when, and what to do after."""

    kind: str
    user_id: int | None
    expires: float
    data: dict[str, Any] = field(default_factory=dict)


async def ask(turn: Turn, kind: str, question: str, **data: Any) -> None:
    """Ask `question` and remember that this user's next text in this chat answers it."""
    chat_data = turn.context.chat_data
    if chat_data is None:
        return
    chat_data[PROMPT_KEY] = Prompt(kind, turn.user_id, time.monotonic() + PROMPT_SECONDS, data)
    if turn.private:
        await turn.say(question)
        return
    # In groups the answer must reply to the bot (privacy mode hides other messages); after a
    # command, target the user who sent it; after a button, anyone may see the reply box.
    from_command = turn.query is None and turn.message is not None
    markup = ForceReply(selective=from_command)
    if from_command and turn.message is not None:
        await turn.message.reply_text(question, reply_markup=markup, do_quote=True)
    else:
        await turn.context.bot.send_message(
            turn.chat_id, question, reply_markup=markup, message_thread_id=turn.thread_id
        )


def take(turn: Turn) -> Prompt | None:
    """The awaited answer's prompt if this text answers it (same user, in time); forgets it."""
    chat_data = turn.context.chat_data
    if chat_data is None:
        return None
    prompt = chat_data.get(PROMPT_KEY)
    if not isinstance(prompt, Prompt) or prompt.user_id != turn.user_id:
        return None
    del chat_data[PROMPT_KEY]
    return prompt if prompt.expires > time.monotonic() else None


def cancel(turn: Turn) -> bool:
    """Forget any awaited answer in this chat; returns whether there was one."""
    chat_data = turn.context.chat_data
    return chat_data is not None and chat_data.pop(PROMPT_KEY, None) is not None
