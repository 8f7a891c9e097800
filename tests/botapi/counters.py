"""Request, response, 429 and per-second send counters; every update is O(1)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any


class Counters:
    """What the server saw and answered, for assertions and benchmark reports."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.responses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.too_many_requests = 0
        self.too_many_by_scope: Counter[str] = Counter()
        self.sent = 0
        self.sent_paid = 0
        self.edited = 0
        self.per_second: Counter[int] = Counter()
        self.first_sent_at: float | None = None
        self.last_sent_at: float | None = None

    def request(self, method: str) -> None:
        """One call of `method`."""
        self.requests[method] += 1

    def response(self, code: int, description: str | None = None, scope: str | None = None) -> None:
        """One answer; 429s are also counted by the limit that refused them."""
        self.responses[code] += 1
        if description is not None:
            self.errors[description] += 1
        if code == 429:
            self.too_many_requests += 1
            self.too_many_by_scope[scope or "fault"] += 1

    def message_sent(self, paid: bool) -> None:
        """One message delivered."""
        now = time.time()
        self.sent += 1
        if paid:
            self.sent_paid += 1
        self.per_second[int(now)] += 1
        if self.first_sent_at is None:
            self.first_sent_at = now
        self.last_sent_at = now

    def sustained_rate(self) -> float:
        """Messages per second over the busy span, leaving out the partial first and last second."""
        if len(self.per_second) < 3:
            if self.first_sent_at is None or self.last_sent_at is None:
                return 0.0
            span = self.last_sent_at - self.first_sent_at
            return self.sent / span if span > 0 else float(self.sent)
        seconds = sorted(self.per_second)
        inner = range(seconds[0] + 1, seconds[-1])
        return sum(self.per_second[s] for s in inner) / len(inner)

    def summary(self) -> dict[str, Any]:
        """Everything as JSON (keys are strings)."""
        return {
            "requests": dict(self.requests),
            "responses": {str(k): v for k, v in self.responses.items()},
            "errors": dict(self.errors),
            "too_many_requests": self.too_many_requests,
            "too_many_by_scope": dict(self.too_many_by_scope),
            "sent": self.sent,
            "sent_paid": self.sent_paid,
            "edited": self.edited,
            "per_second": {str(k): v for k, v in sorted(self.per_second.items())},
            "first_sent_at": self.first_sent_at,
            "last_sent_at": self.last_sent_at,
            "sustained_rate": self.sustained_rate(),
            "peak_per_second": max(self.per_second.values(), default=0),
        }
