"""Pacing under Telegram's limits: the global rate, each chat's rate, and requests in flight.

- global: a leaky bucket (aiolimiter) at the configured rate with a burst of two, so the stream
  is smooth, plus a pause for everyone after a global 429;
- per chat: one message a second in any chat, and at most twenty a minute in a group;
- in flight: no more requests outstanding than the rate needs given the measured latency, so a
  crash leaves as few messages as possible of unknown fate (one, against a fast server).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from aiolimiter import AsyncLimiter

# Telegram's limits with a margin: requests are timed here, but counted on arrival there.
CHAT_INTERVAL = 1.1  # seconds between two messages to one chat (Telegram: about 1)
GROUP_PER_MINUTE = 20
GROUP_WINDOW = 62.0  # seconds in which a group gets at most GROUP_PER_MINUTE
BURST = 2  # messages the global pacing lets go back to back


class ChatPacer:
    """When each chat may get its next message; groups keep a window of their last sends."""

    def __init__(
        self,
        *,
        interval: float = CHAT_INTERVAL,
        group_limit: int = GROUP_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.group_limit = group_limit
        self.clock = clock
        self._last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._held: dict[int, float] = {}  # a chat's own 429: not before this time

    def ready_at(self, chat: int, is_group: bool) -> float:
        """The earliest moment `chat` may get a message (<= now: at once)."""
        at = self._last.get(chat, -math.inf) + self.interval
        held = self._held.get(chat)
        if held is not None:
            at = max(at, held)
        if is_group:
            window = self._groups.get(chat)
            if window is not None and len(window) >= self.group_limit:
                at = max(at, window[0] + GROUP_WINDOW)
        return at

    def note(self, chat: int, is_group: bool) -> None:
        """Record a message going to `chat` now."""
        now = self.clock()
        self._last[chat] = now
        if is_group:
            window = self._groups.setdefault(chat, deque(maxlen=self.group_limit))
            window.append(now)

    def hold(self, chat: int, seconds: float) -> float:
        """Keep `chat` waiting `seconds` (its own 429); returns the moment it may go again."""
        until = self.clock() + seconds
        self._held[chat] = max(until, self._held.get(chat, 0.0))
        return self._held[chat]

    def last_sent(self, chat: int) -> float | None:
        """When we last sent to `chat` (clock time), if we remember."""
        return self._last.get(chat)

    def prune(self) -> None:
        """Forget chats idle for longer than any limit remembers (bounded memory)."""
        now = self.clock()
        horizon = now - GROUP_WINDOW - self.interval
        self._last = {c: t for c, t in self._last.items() if t > horizon}
        self._groups = {c: w for c, w in self._groups.items() if w and w[-1] > horizon}
        self._held = {c: t for c, t in self._held.items() if t > now}

    def __len__(self) -> int:
        return len(self._last)


class GlobalPacer:
    """The bot-wide rate (None: unlimited) and a pause everybody waits out after a global 429."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.clock = clock
        # Two tokens of capacity: a smooth stream that can make up one late wake-up (a slow
        # answer, a busy loop) instead of losing that slot for good; never more than two at once.
        self._limiter = AsyncLimiter(BURST, BURST / rate) if rate else None
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Nobody sends for `seconds` (extends, never shortens, a pause under way)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    @property
    def paused_for(self) -> float:
        """Seconds left in the current pause."""
        return max(0.0, self._paused_until - self.clock())

    async def wait(self) -> None:
        """Block until one more message may go."""
        await self._sit_out_pause()
        if self._limiter is not None:
            await self._limiter.acquire()
            # A pause may have started while we waited for the token.
            await self._sit_out_pause()

    async def _sit_out_pause(self) -> None:
        # A pause can be extended while we sleep (another 429): look again after each sleep.
        while True:
            left = self.paused_for
            if left <= 0:
                return
            await asyncio.sleep(left)


class InFlight:
    """Requests outstanding, limited to what the rate needs: ceil(rate x latency x 1.25).

    Latency is the time from request to recorded result, estimated from recent answers with a
    bias to the slow ones. Unlimited rate means the maximum.
    """

    def __init__(self, maximum: int, rate: float | None, *, initial_latency: float = 0.0):
        self.maximum = max(1, maximum)
        self.rate = rate
        self.latency = initial_latency
        self.active = 0
        self._changed = asyncio.Event()

    @property
    def limit(self) -> int:
        """How many may be outstanding now."""
        if self.rate is None:
            return self.maximum
        need = math.ceil(self.rate * self.latency * 1.25)
        return max(1, min(self.maximum, need))

    async def acquire(self) -> None:
        """Wait for a free slot and take it."""
        while self.active >= self.limit:
            self._changed.clear()
            await self._changed.wait()
        self.active += 1

    def release(self, latency: float | None = None) -> None:
        """Give a slot back; `latency` (seconds) updates the estimate."""
        self.active -= 1
        if latency is not None:
            # Up fast, down slowly: the estimate follows the slow answers, not the mean, so a
            # spike does not stall the rate.
            weight = 0.5 if latency > self.latency else 0.05
            self.latency += weight * (latency - self.latency)
        self._changed.set()
