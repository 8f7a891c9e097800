"""Everything no other handler took: answers to the bot's questions, plain text, unknown
commands and other messages. Each gets a sensible reply or, in groups, none."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import prompts
from bot.access import is_kabar_admin, may_change_settings
from bot.context import KabarApp, KabarContext
from bot.dispatch import command
from bot.filters import COMMANDS
from bot.turn import Turn
from kabar.errors import InvalidInputError, NotFoundError

Answer = Callable[[Turn, prompts.Prompt, str], Awaitable[None]]
PROMPT_ANSWERS_KEY = "kabar.prompt_answers"
PLAIN_TEXT_KEY = "kabar.plain_text"


def on_prompt(app: KabarApp, kind: str, answer: Answer) -> None:
    """Let `answer` handle replies to prompts of `kind`."""
    app.bot_data.setdefault(PROMPT_ANSWERS_KEY, {})[kind] = answer


def on_plain_text(app: KabarApp, handler: Callable[[Turn, str], Awaitable[None]]) -> None:
    """What a private chat's plain text (not answering a prompt) does."""
    app.bot_data[PLAIN_TEXT_KEY] = handler


async def on_text(update: Update, context: KabarContext) -> None:
    """An answer to a prompt, or plain text (a search in private chats, nothing in groups)."""
    turn = await Turn.load(update, context)
    message = update.effective_message
    if turn is None or message is None or not message.text:
        return
    prompt = prompts.take(turn)
    if prompt is not None:
        await _answer_prompt(turn, prompt, message.text)
        return
    handler = context.bot_data.get(PLAIN_TEXT_KEY)
    if turn.private:
        if handler is not None:
            await handler(turn, message.text)
        else:
            await turn.say(turn.t("unknown.text"))


async def _answer_prompt(turn: Turn, prompt: prompts.Prompt, text: str) -> None:
    answer: Answer | None = turn.context.bot_data.get(PROMPT_ANSWERS_KEY, {}).get(prompt.kind)
    if answer is None:
        return
    admin_kinds = ("feed", "broadcast")
    if prompt.kind in admin_kinds and not is_kabar_admin(turn):
        return
    if prompt.kind not in admin_kinds and not await may_change_settings(turn):
        return
    try:
        await answer(turn, prompt, text)
    except InvalidInputError as exc:
        # Ask again: the next text is another try at the same question.
        await prompts.ask(turn, prompt.kind, turn.t(exc.key, **exc.params), **prompt.data)
    except NotFoundError:
        await turn.say(turn.t("start.first"))


async def on_unknown_command(update: Update, context: KabarContext) -> None:
    """An unknown command: a hint in private chats, or when addressed to this bot by name."""
    turn = await Turn.load(update, context)
    message = update.effective_message
    if turn is None or message is None or not message.text:
        return
    word = message.text.split(maxsplit=1)[0]
    addressed = (
        "@" in word and word.split("@", 1)[1].lower() == (context.bot.username or "").lower()
    )
    if turn.private or addressed:
        await turn.say(turn.t("unknown.command", command=word[:40]))


async def on_other_message(update: Update, context: KabarContext) -> None:
    """Stickers, photos and the like in a private chat get a hint; in groups, nothing."""
    turn = await Turn.load(update, context)
    if turn is not None and turn.private:
        await turn.say(turn.t("unknown.text"))


async def cancel_command(turn: Turn) -> None:
    """/cancel forgets the question the bot asked."""
    await turn.say(turn.t("prompt.cancelled" if prompts.cancel(turn) else "prompt.nothing"))


def register(app: KabarApp) -> None:
    """Add the catch-all handlers; call this after every other register()."""
    app.add_handler(CommandHandler(["cancel", "batal"], command(cancel_command), COMMANDS))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & COMMANDS, on_text))
    app.add_handler(MessageHandler(filters.COMMAND & COMMANDS, on_unknown_command))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL & ~filters.TEXT,
            on_other_message,
        )
    )
