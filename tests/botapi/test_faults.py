"""Scripted faults as PTB sees them: 5xx, 403, 429 storms, timeouts, the uncertain case, drops."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut

from tests.botapi.conftest import make_bot
from tests.botapi.server import BotApiServer

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_server_errors_then_recovery(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    botapi.add_fault("server_error", method="sendMessage", times=1)
    botapi.add_fault("bad_gateway", method="sendmessage", times=1)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(user.id, "a")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "b")
    await bot.send_message(user.id, "c")
    assert [m.text for m in user.messages] == ["c"]
    assert botapi.counters.responses == {500: 1, 502: 1, 200: 2}  # getMe + the last send
    assert botapi.api.faults.rules == []


async def test_faults_target_one_chat(botapi: BotApiServer, bot: Bot) -> None:
    blocked, fine = botapi.create_user(), botapi.create_user()
    botapi.add_fault("blocked", chat_id=blocked.id, times=None)
    botapi.add_fault("chat_not_found", chat_id=-1, times=None)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(blocked.id, "x")
    await bot.send_message(fine.id, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-1, "x")
    assert len(fine.messages) == 1 and blocked.messages == []


async def test_429_storm(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    botapi.add_fault("too_many", retry_after=3, times=3)
    for _ in range(3):
        with pytest.raises(RetryAfter):
            await bot.send_message(user.id, "x")
    await bot.send_message(user.id, "x")
    assert botapi.counters.too_many_requests == 3
    assert botapi.counters.too_many_by_scope == {"fault": 3}


async def test_timeouts_hangs_and_the_uncertain_case(botapi: BotApiServer) -> None:
    user = botapi.create_user()
    async with make_bot(botapi, read_timeout=0.2) as bot:
        # delay_after: processed, then the answer comes too late -> delivered, client unsure.
        botapi.add_fault(action="delay_after", seconds=0.5, method="sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "uncertain")
        assert [m.text for m in user.messages] == ["uncertain"]
        # hang: the server never processes it -> not delivered.
        botapi.add_fault(action="hang", seconds=0.4, method="sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "lost")
        # delay: processed late -> delivered after the client gave up.
        botapi.add_fault(action="delay", seconds=0.4, method="sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "late")
        await user.next_message(match="late", timeout=2)
        await asyncio.sleep(0.3)
        assert [m.text for m in user.messages] == ["uncertain", "late"]


async def test_dropped_connections(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    botapi.add_fault(action="drop", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "never")
    botapi.add_fault(action="drop_after", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "delivered anyway")
    assert [m.text for m in user.messages] == ["delivered anyway"]


async def test_fraction_is_seeded_and_counted(botapi: BotApiServer, bot: Bot) -> None:
    user = botapi.create_user()
    fault = botapi.add_fault("server_error", times=None, fraction=0.5, method="sendMessage")
    failures = 0
    for _ in range(40):
        try:
            await bot.send_message(user.id, "x")
        except NetworkError:
            failures += 1
    assert 8 <= failures <= 32
    assert fault.fired == failures == botapi.api.faults.fired
    assert len(user.messages) == 40 - failures


async def test_second_poller_terminates_the_first(botapi: BotApiServer) -> None:
    async with make_bot(botapi) as first, make_bot(botapi) as second:
        waiting = asyncio.ensure_future(first.get_updates(timeout=3))
        await asyncio.sleep(0.1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting
