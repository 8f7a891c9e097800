"""Telegram's send limits: the algorithms on a fake clock, then 429s seen by PTB over HTTP."""

from __future__ import annotations

import datetime as dtm
import warnings

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from tests.botapi.conftest import make_bot
from tests.botapi.limits import Gcra, LimitConfig, Limiter, SlidingWindow
from tests.botapi.server import BotApiServer
from tests.botapi.simulate import Simulator

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def seconds(exc: RetryAfter) -> float:
    """retry_after as seconds, whichever type this PTB returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def test_gcra_allows_the_burst_then_the_rate() -> None:
    bucket = Gcra(rate=30, burst=30)
    for _ in range(30):
        assert bucket.wait(0, 0.0) == 0.0
        bucket.take(0, 0.0)
    assert bucket.wait(0, 0.0) == pytest.approx(1 / 30)
    assert bucket.wait(0, 1 / 30) == 0.0
    # Evenly paced at the rate, it never refuses.
    paced = Gcra(rate=30, burst=1)
    for i in range(300):
        assert paced.wait(1, i / 30) == 0.0
        paced.take(1, i / 30)


def test_sliding_minute_catches_message_21() -> None:
    window = SlidingWindow(limit=20, period=60.0)
    for i in range(20):
        assert window.wait(9, float(i)) == 0.0
        window.take(9, float(i))
    assert window.wait(9, 20.0) == pytest.approx(40.0)
    assert window.wait(9, 60.0) == 0.0


def test_limiter_scopes_and_retry_after() -> None:
    limiter = Limiter(LimitConfig(global_rate=30, global_burst=30, chat_burst=3))
    for chat_id in range(30):
        assert limiter.check(chat_id + 100, "private", False, 0.0) is None
    refused = limiter.check(999, "private", False, 0.0)
    assert refused is not None and (refused.scope, refused.retry_after) == ("global", 1)
    # Paid broadcasts have their own, higher global limit.
    assert limiter.check(999, "private", True, 0.0) is None
    fresh = Limiter(LimitConfig(chat_rate=1, chat_burst=3))
    assert [fresh.check(5, "private", False, 0.0) for _ in range(3)] == [None] * 3
    per_chat = fresh.check(5, "private", False, 0.0)
    assert per_chat is not None and per_chat.scope == "chat"
    assert fresh.check(6, "private", False, 0.0) is None
    fresh.flood(10.0, 0.0, retry_after=7)
    flood = fresh.check(7, "private", False, 1.0)
    assert flood is not None and (flood.scope, flood.retry_after) == ("flood", 7)
    assert fresh.refused == {"chat": 1, "flood": 1}


async def test_429_reaches_ptb_as_retry_after(botapi_factory: object) -> None:
    server: BotApiServer = await botapi_factory(  # type: ignore[operator]
        limits=LimitConfig(global_rate=5, global_burst=5, chat_burst=2, paid_rate=100)
    )
    users = [server.create_user() for _ in range(7)]
    async with make_bot(server) as bot:
        for user in users[:5]:
            await bot.send_message(user.id, "ok")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(users[5].id, "too fast")
        assert seconds(caught.value) == 1
        await bot.send_message(users[5].id, "paid", api_kwargs={"allow_paid_broadcast": True})
        await bot.send_message(users[5].id, "paid", api_kwargs={"allow_paid_broadcast": True})
        with pytest.raises(RetryAfter):  # the per-chat limit still applies to paid messages
            await bot.send_message(users[5].id, "paid", api_kwargs={"allow_paid_broadcast": True})
    counters = server.counters
    assert counters.too_many_requests == 2
    assert counters.too_many_by_scope == {"global": 1, "chat": 1}
    assert counters.sent == 7 and counters.sent_paid == 2
    assert sum(counters.per_second.values()) == 7
    assert counters.errors["Too Many Requests: retry after 1"] == 2


async def test_group_limit_and_global_flood(botapi_factory: object) -> None:
    server: BotApiServer = await botapi_factory(  # type: ignore[operator]
        limits=LimitConfig(group_per_minute=2, chat_burst=5)
    )
    group = server.create_group()
    user = server.create_user()
    async with make_bot(server) as bot:
        await bot.send_message(group.id, "1")
        await bot.send_message(group.id, "2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(group.id, "3")
        assert 55 <= seconds(caught.value) <= 60
        server.flood(5.0, retry_after=9)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(user.id, "x")
        assert seconds(flood.value) == 9
    assert server.counters.too_many_by_scope == {"group": 1, "flood": 1}


async def test_limits_off_by_default_and_switchable(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    for i in range(40):
        await bot.send_message(user.id, f"{i}")
    botapi.set_limits(enabled=True, chat_burst=1)
    await bot.send_message(user.id, "one more")
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "too many")
    assert botapi.counters.sent == 41


def test_simulator_is_independent_of_http() -> None:
    server = BotApiServer()
    simulator = Simulator(server.api)
    user = server.api.world.add_user("X")
    message = simulator.message(user, server.api.world.chats[user.id], "/start")
    assert message.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert server.api.updates.pending[0]["message"]["text"] == "/start"
