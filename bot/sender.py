"""The paced sender: outbox rows out through python-telegram-bot's Bot, Telegram errors in.

The engine (kabar.dispatch) claims, paces and records; this module is its Telegram transport:
it sends one Delivery with sendMessage and turns every answer or exception into an Outcome.
Requests go through PTB's Bot (its request building and error translation) on an aiohttp
backend (bot/aiohttp_request.py), keeping only the message id of each answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.aiohttp_request import AiohttpRequest, AnswerTimedOut
from kabar.config import Settings
from kabar.db import Database
from kabar.dispatch import DispatchConfig, Dispatcher
from kabar.errors import ConfigError
from kabar.outbox import Delivery, Message
from kabar.outcomes import Outcome, Result, RetryPolicy

log = logging.getLogger(__name__)

# 400s that concern one chat only: the message itself is fine, this chat cannot take it.
CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")
CHAT_SPECIFIC = (
    "not enough rights",
    "have no rights",
    "chat_write_forbidden",
    "need administrator rights",
    "message thread not found",
    "topic_closed",
    "topic_deleted",
    "chat_restricted",
    "user is deactivated",
    "bot was blocked",
)
# httpx's (PTB's default backend) name for "written, but no answer in time".
_AFTER_SENDING = (httpx.ReadTimeout,)
_NO_PREVIEW = '{"is_disabled":true}'  # JSON already: PTB sends strings as they are


def _retry_after(exc: RetryAfter) -> float:
    # PTB 22 warns that the attribute becomes a timedelta; both forms are handled.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(payload: dict[str, Any]) -> str | None:
    """The inline keyboard as Bot API JSON (encoded once: PTB passes strings through)."""
    rows = payload.get("buttons")
    if not rows:
        return None
    keyboard = [
        [
            {"text": b["text"], "url": b["url"]}
            if b.get("url")
            else {"text": b["text"], "callback_data": b.get("data") or "x"}
            for b in row
        ]
        for row in rows
    ]
    return json.dumps({"inline_keyboard": keyboard}, ensure_ascii=False)


def reply_markup(message: Message) -> InlineKeyboardMarkup | None:
    """A core Message's buttons as PTB's keyboard (for the bot's own replies and edits)."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data or "x")
                for b in row
            ]
            for row in message.buttons
        ]
    )


def send_message_args(delivery: Delivery, *, paid: bool) -> dict[str, Any]:
    """sendMessage's parameters for one delivery."""
    args: dict[str, Any] = {
        "chat_id": delivery.telegram_id,
        "text": delivery.text,
        "parse_mode": "HTML",
    }
    markup = _markup(delivery.payload)
    if markup is not None:
        args["reply_markup"] = markup
    if delivery.thread_id is not None:
        args["message_thread_id"] = delivery.thread_id
    if not delivery.payload.get("preview"):
        args["link_preview_options"] = _NO_PREVIEW
    if paid:
        args["allow_paid_broadcast"] = True
    return args


def _bad_request(text: str) -> Outcome:
    lowered = text.lower()
    if any(s in lowered for s in CHAT_GONE):
        return Outcome(Result.CHAT_GONE, error=text)
    specific = any(s in lowered for s in CHAT_SPECIFIC)
    return Outcome(Result.REJECTED, error=text, chat_specific=specific)


def _answer_lost(exc: TelegramError) -> bool:
    """Whether the request went out and its answer never came (it may have been delivered)."""
    return isinstance(exc, AnswerTimedOut) or isinstance(exc.__cause__, _AFTER_SENDING)


def classify(exc: TelegramError) -> Outcome:
    """The Outcome of a failed send_message."""
    text = str(exc)[:500]
    match exc:
        case RetryAfter():
            outcome = Outcome(Result.RATE_LIMITED, retry_after=_retry_after(exc), error=text)
        case ChatMigrated():
            outcome = Outcome(Result.MIGRATED, new_chat_id=exc.new_chat_id, error=text)
        case Forbidden():
            outcome = Outcome(Result.BLOCKED, error=text)
        case InvalidToken():
            outcome = Outcome(Result.UNAUTHORIZED, error="the bot token was refused")
        case BadRequest():
            outcome = _bad_request(text)
        case AnswerTimedOut() | TimedOut() if _answer_lost(exc):
            outcome = Outcome(Result.UNCERTAIN, error=f"no answer in time: {text}")
        case NetworkError():
            outcome = Outcome(Result.RETRY, error=text)
        case _:
            outcome = Outcome(Result.RETRY, error=f"{type(exc).__name__}: {text}")
    return outcome


class SenderBot(Bot):
    """PTB's Bot with one extra call: sendMessage answered with the message id alone.

    Building PTB's Message object from every answer cost a third of the sender's CPU, and the
    sender keeps nothing but the id. Requests, answers and errors go through PTB unchanged.
    """

    async def send_for_id(self, args: dict[str, Any]) -> int | None:
        """Call sendMessage with `args` (Bot API JSON); the new message's id."""
        result = await self._post("sendMessage", api_kwargs=args)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return message_id if isinstance(message_id, int) else None


class TelegramTransport:
    """Sends deliveries with sendMessage; `paid` adds allow_paid_broadcast."""

    def __init__(self, bot: SenderBot, *, paid: bool = False) -> None:
        self.bot = bot
        self.paid = paid

    async def send(self, delivery: Delivery) -> Outcome:
        """Send one delivery and say what happened; never raises."""
        try:
            message_id = await self.bot.send_for_id(send_message_args(delivery, paid=self.paid))
        except TelegramError as exc:
            return classify(exc)
        return Outcome(Result.SENT, message_id=message_id)


def build_bot(settings: Settings, *, pool: int | None = None) -> SenderBot:
    """A Bot of the sender's own: its connection pool sized for its requests in flight."""
    token = settings.token
    if not token:
        raise ValueError("the sender needs TELEGRAM_BOT_TOKEN")
    request = AiohttpRequest(
        connection_pool_size=pool or settings.send_max_in_flight + 4,
        read_timeout=settings.send_timeout,
        connect_timeout=settings.send_timeout,
    )
    return SenderBot(token, base_url=settings.telegram_api_url, request=request)


def dispatch_config(settings: Settings, **overrides: Any) -> DispatchConfig:
    """The engine's knobs from the settings."""
    values: dict[str, Any] = {
        "rate": settings.send_rate,
        "max_in_flight": settings.send_max_in_flight,
        "lease": timedelta(seconds=settings.send_lease_seconds),
        "leader_lease": timedelta(seconds=settings.send_leader_lease_seconds),
        "retry": RetryPolicy(
            max_attempts=settings.send_max_attempts, base_seconds=settings.send_retry_seconds
        ),
    }
    values.update(overrides)
    return DispatchConfig(**values)


@dataclass
class Sender:
    """The dispatcher with its Bot; `run` sends until `stop` is set."""

    dispatcher: Dispatcher
    bot: Bot

    async def run(self, stop: asyncio.Event) -> None:
        """Connect (retrying while Telegram is unreachable), then drain the outbox."""
        while not stop.is_set():
            try:
                await self.bot.initialize()
                break
            except InvalidToken:
                # PTB's message quotes the token: never let it reach a log.
                raise ConfigError(
                    "Telegram refused TELEGRAM_BOT_TOKEN; the sender cannot start"
                ) from None
            except TelegramError as exc:
                log.warning("sender cannot reach Telegram yet: %s", exc)
                try:
                    await asyncio.wait_for(stop.wait(), 5.0)
                except TimeoutError:
                    continue
        try:
            await self.dispatcher.run(stop)
        finally:
            await self.bot.shutdown()


def build_sender(
    db: Database, settings: Settings, *, bot: SenderBot | None = None, **overrides: Any
) -> Sender:
    """The sender for `settings` (overrides change DispatchConfig fields, for tests and bench)."""
    config = dispatch_config(settings, **overrides)
    bot = bot or build_bot(settings)
    transport = TelegramTransport(bot, paid=settings.paid_broadcast)
    return Sender(Dispatcher(db, transport, config), bot)
