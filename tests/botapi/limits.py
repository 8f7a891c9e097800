"""Telegram's send limits (global, per chat, per group, paid broadcasts), O(1) per message."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, fields
from typing import Any

GROUP_TYPES = frozenset({"group", "supergroup", "channel"})
EPSILON = 1e-6  # float rounding on an evenly paced sender must not read as "too early"


@dataclass
class LimitConfig:
    """Rates are per second unless named otherwise; bursts are how many may go at once."""

    enabled: bool = True
    global_rate: float = 30.0
    global_burst: int = 30
    paid_rate: float = 1000.0
    paid_burst: int = 1000
    chat_rate: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0

    def update(self, values: dict[str, Any]) -> None:
        """Apply the known keys of `values` (from the control API)."""
        for item in fields(self):
            if item.name in values:
                kind = type(getattr(self, item.name))
                setattr(self, item.name, kind(values[item.name]))

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


class Gcra:
    """Generic cell rate algorithm: `rate` per second with bursts of `burst`, one float per key."""

    __slots__ = ("interval", "tat", "tolerance")

    def __init__(self, rate: float, burst: int):
        self.interval = 1.0 / rate
        self.tolerance = self.interval * (max(burst, 1) - 1)
        self.tat: dict[int, float] = {}

    def wait(self, key: int, now: float) -> float:
        """Seconds until `key` may send again (0.0 when it may send now)."""
        tat = self.tat.get(key, now)
        excess = tat - now - self.tolerance
        return excess if excess > EPSILON else 0.0

    def take(self, key: int, now: float) -> None:
        """Record one message for `key`."""
        tat = self.tat.get(key, now)
        self.tat[key] = (tat if tat > now else now) + self.interval


class SlidingWindow:
    """At most `limit` events per key in any `period` seconds (memory: `limit` floats per key)."""

    __slots__ = ("limit", "period", "times")

    def __init__(self, limit: int, period: float):
        self.limit = max(limit, 1)
        self.period = period
        self.times: dict[int, deque[float]] = {}

    def wait(self, key: int, now: float) -> float:
        """Seconds until `key` may send again (0.0 when it may send now)."""
        times = self.times.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.period:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[0] + self.period - now

    def take(self, key: int, now: float) -> None:
        """Record one message for `key`."""
        times = self.times.get(key)
        if times is None:
            times = self.times[key] = deque(maxlen=self.limit)
        times.append(now)


@dataclass
class Verdict:
    """Why a send was refused and for how long."""

    retry_after: int
    scope: str  # "global", "paid", "chat", "group" or "flood"


class Limiter:
    """Decides whether one more message may go now, like Telegram's flood control."""

    def __init__(self, config: LimitConfig | None = None):
        self.config = config or LimitConfig()
        self.flood_until = 0.0
        self.flood_retry_after: int | None = None
        self.refused: Counter[str] = Counter()
        self.rebuild()

    def rebuild(self) -> None:
        """Start fresh buckets from the current config (after a change or a reset)."""
        c = self.config
        self.global_bucket = Gcra(c.global_rate, c.global_burst)
        self.paid_bucket = Gcra(c.paid_rate, c.paid_burst)
        self.chat_bucket = Gcra(c.chat_rate, c.chat_burst)
        # "20 messages per minute to the same group": a true sliding minute, so a sender that
        # goes faster is caught at message 21, not after a token bucket's refill allowance.
        self.group_bucket = SlidingWindow(int(c.group_per_minute), 60.0)

    def flood(self, seconds: float, now: float, retry_after: int | None = None) -> None:
        """Refuse every send for `seconds`, as Telegram does when a bot floods globally."""
        self.flood_until = now + seconds
        self.flood_retry_after = retry_after

    def check(self, chat_id: int, chat_type: str, paid: bool, now: float) -> Verdict | None:
        """None and the message counted, or the 429 verdict (nothing counted)."""
        if now < self.flood_until:
            retry = self.flood_retry_after or math.ceil(self.flood_until - now)
            return self._refuse(retry, "flood")
        if not self.config.enabled:
            return None
        everyone = self.paid_bucket if paid else self.global_bucket
        waits = [
            (everyone.wait(0, now), "paid" if paid else "global"),
            (self.chat_bucket.wait(chat_id, now), "chat"),
        ]
        in_group = chat_type in GROUP_TYPES
        if in_group:
            waits.append((self.group_bucket.wait(chat_id, now), "group"))
        wait, scope = max(waits)
        if wait > 0:
            return self._refuse(max(1, math.ceil(wait)), scope)
        everyone.take(0, now)
        self.chat_bucket.take(chat_id, now)
        if in_group:
            self.group_bucket.take(chat_id, now)
        return None

    def _refuse(self, retry_after: int, scope: str) -> Verdict:
        self.refused[scope] += 1
        return Verdict(retry_after, scope)
