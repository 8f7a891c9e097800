"""Pacing rules on a fake clock: one a second per chat, twenty a minute per group, pauses."""

from __future__ import annotations

import asyncio
import time

import pytest

from kabar.pacing import CHAT_INTERVAL, GROUP_WINDOW, ChatPacer, GlobalPacer, InFlight


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_private_chat_gets_one_message_a_second() -> None:
    clock = Clock()
    pacer = ChatPacer(clock=clock)
    assert pacer.ready_at(1, False) <= clock.now
    pacer.note(1, False)
    assert pacer.ready_at(1, False) == pytest.approx(clock.now + CHAT_INTERVAL)
    assert pacer.ready_at(2, False) <= clock.now  # other chats are not held up
    assert pacer.last_sent(1) == clock.now and pacer.last_sent(2) is None


def test_a_group_gets_at_most_twenty_a_minute() -> None:
    clock = Clock()
    pacer = ChatPacer(clock=clock)
    start = clock.now
    for _ in range(20):
        clock.now = max(clock.now, pacer.ready_at(-5, True))
        pacer.note(-5, True)
    # Twenty went out about a second apart; the 21st waits until the first leaves the window.
    assert pacer.ready_at(-5, True) == pytest.approx(start + GROUP_WINDOW)


def test_a_chats_own_429_holds_only_that_chat() -> None:
    clock = Clock()
    pacer = ChatPacer(clock=clock)
    until = pacer.hold(7, 30)
    assert until == clock.now + 30
    assert pacer.ready_at(7, False) == until
    assert pacer.ready_at(8, False) <= clock.now
    clock.now += 31
    pacer.prune()
    assert pacer.ready_at(7, False) <= clock.now


def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    pacer = ChatPacer(clock=clock)
    for chat in range(1000):
        pacer.note(chat, chat % 2 == 0)
    clock.now += GROUP_WINDOW + 5
    pacer.prune()
    assert len(pacer) == 0


async def test_the_global_rate_is_smooth_and_a_pause_stops_everyone() -> None:
    pacer = GlobalPacer(50.0)
    started = time.monotonic()
    for _ in range(12):
        await pacer.wait()
    elapsed = time.monotonic() - started
    assert elapsed >= 10 / 50 * 0.9  # two may go at once, then one every 20 ms
    pacer.pause(0.2)
    assert pacer.paused_for > 0.15
    paused = time.monotonic()
    await pacer.wait()
    assert time.monotonic() - paused >= 0.19


async def test_in_flight_follows_rate_times_latency() -> None:
    gate = InFlight(64, 100.0)
    assert gate.limit == 1  # nothing measured yet: one at a time
    for _ in range(5):
        await gate.acquire()
        gate.release(0.2)  # slow answers: 100/s x 0.2 s needs 20-odd in flight
    assert 20 <= gate.limit <= 32
    unlimited = InFlight(8, None)
    assert unlimited.limit == 8
    await asyncio.gather(*(unlimited.acquire() for _ in range(8)))
    waiter = asyncio.create_task(unlimited.acquire())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    unlimited.release()
    await asyncio.wait_for(waiter, 1)
