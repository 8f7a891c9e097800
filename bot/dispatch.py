"""Wrappers that turn short handlers into PTB callbacks: load the turn, check who may act,
translate Kabar's errors into a reply, and answer every button press exactly once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import Update

from bot.access import is_kabar_admin, may_change_settings, refuse_admin, refuse_settings
from bot.cb import unpack
from bot.context import KabarContext
from bot.turn import Turn
from kabar.errors import InvalidInputError, NotFoundError
from kabar.i18n import t

log = logging.getLogger(__name__)

TurnHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, list[str]], Awaitable[None]]
PTBCallback = Callable[[Update, KabarContext], Coroutine[Any, Any, None]]
ROUTES_KEY = "kabar.routes"


class StaleButton(Exception):
    """The button's data no longer makes sense (old message, removed thing, forged data)."""


def command(
    fn: TurnHandler, *, settings: bool = False, admin: bool = False, needs_chat: bool = False
) -> PTBCallback:
    """A command handler: `settings` for group admins only, `admin` for KABAR_ADMINS only,
    `needs_chat` for chats that used /start."""

    async def run(update: Update, context: KabarContext) -> None:
        turn = await Turn.load(update, context)
        if turn is None:
            return
        if admin and not is_kabar_admin(turn):
            await refuse_admin(turn, _command_name(update))
            return
        if settings and not await may_change_settings(turn):
            await refuse_settings(turn)
            return
        if needs_chat and turn.chat is None:
            await turn.say(turn.t("start.first"))
            return
        try:
            await fn(turn)
        except InvalidInputError as exc:
            await turn.say(turn.t(exc.key, **exc.params))
        except NotFoundError:
            await turn.say(turn.t("error.not_found"))

    run.__name__ = fn.__name__
    return run


def _command_name(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.split(maxsplit=1)[0][:40] if text else "?"


def register_buttons(bot_data: dict[Any, Any], routes: Mapping[str, ButtonHandler]) -> None:
    """Add button handlers by their data's namespace."""
    table: dict[str, ButtonHandler] = bot_data.setdefault(ROUTES_KEY, {})
    for namespace, handler in routes.items():
        if namespace in table:
            raise ValueError(f"two handlers for buttons {namespace!r}")
        table[namespace] = handler


async def on_button(update: Update, context: KabarContext) -> None:
    """Route a pressed button by its namespace; answer it whatever happens."""
    query = update.callback_query
    if query is None:
        return
    turn = await Turn.load(update, context)
    if turn is None:  # a button under an inline-mode message: nothing of ours lives there
        await query.answer()
        return
    try:
        namespace, fields = unpack(query.data)
        handler = context.bot_data.get(ROUTES_KEY, {}).get(namespace)
        if handler is None:
            raise StaleButton(namespace)
        await handler(turn, fields)
    except (StaleButton, NotFoundError) as exc:
        log.info("stale or unknown button %r in chat %s: %r", query.data, turn.chat_id, exc)
        await turn.answer(turn.t("button.stale"), alert=True)
    except (IndexError, ValueError):
        # Too few fields or a field of the wrong shape: old or forged data (or a bug: logged).
        log.warning("malformed button %r in chat %s", query.data, turn.chat_id, exc_info=True)
        await turn.answer(turn.t("button.stale"), alert=True)
    except InvalidInputError as exc:
        await turn.answer(turn.t(exc.key, **exc.params), alert=True)
    except Exception:
        await turn.answer(turn.t("error.generic"), alert=True)
        raise  # the error handler logs it
    finally:
        await turn.answer()


def button(fn: ButtonHandler, *, settings: bool = False, admin: bool = False) -> ButtonHandler:
    """A button handler with the same checks as `command`; needs a chat that used /start."""

    async def run(turn: Turn, fields: list[str]) -> None:
        if admin and not is_kabar_admin(turn):
            await refuse_admin(turn, f"button {fn.__name__}")
            return
        if settings and not await may_change_settings(turn):
            await refuse_settings(turn)
            return
        if turn.chat is None and not admin:
            await turn.answer(t(turn.language, "start.first"), alert=True)
            return
        await fn(turn, fields)

    run.__name__ = fn.__name__
    return run
