"""When to check a feed next: its own rhythm (ttl, HTTP caching, Retry-After) and backoff."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_INTERVAL = timedelta(hours=24)
JITTER = 0.1  # spread checks by up to a tenth of the interval so feeds do not move in lockstep
MAX_RETRY_AFTER = 7 * 24 * 3600.0

_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-maxage|max-age)\s*=\s*\"?(\d{1,10})", re.IGNORECASE)


def http_date(value: str) -> datetime | None:
    """An HTTP date (RFC 9110, or the obsolete forms) as aware UTC, or None."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Retry-After as seconds from `now` (delta-seconds or an HTTP date), clamped to a week."""
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    moment = http_date(value)
    if moment is None:
        return None
    return min(max((moment - now).total_seconds(), 0.0), MAX_RETRY_AFTER)


def cache_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response says it stays fresh: Cache-Control max-age, else Expires."""
    control = headers.get("cache-control", "")
    if "no-store" in control.lower() or "no-cache" in control.lower():
        return None
    match = _MAX_AGE.search(control)
    if match:
        return float(match.group(1))
    expires = http_date(headers.get("expires", "")) if headers.get("expires") else None
    if expires is None:
        return None
    # Measure against the server's own clock when it sent one, so clock skew does not count.
    sent = http_date(headers["date"]) if headers.get("date") else None
    return max((expires - (sent or now)).total_seconds(), 0.0)


def _jittered(now: datetime, interval: timedelta, rng: random.Random) -> datetime:
    interval = min(interval, MAX_INTERVAL)
    spread = interval * JITTER
    if interval + spread <= MAX_INTERVAL:
        return now + interval + spread * rng.random()
    return now + MAX_INTERVAL - spread * rng.random()


def next_check(
    now: datetime,
    *,
    base_minutes: int,
    ttl_minutes: int | None = None,
    headers: Mapping[str, str] | None = None,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """After a successful check: the largest of base, ttl, caching and Retry-After, capped."""
    candidates = [timedelta(minutes=base_minutes)]
    if ttl_minutes:
        candidates.append(timedelta(minutes=ttl_minutes))
    fresh = cache_seconds(headers, now) if headers else None
    if fresh:
        candidates.append(timedelta(seconds=fresh))
    if retry_after:
        candidates.append(timedelta(seconds=retry_after))
    return _jittered(now, max(candidates), rng or random.Random())


def backoff_check(
    now: datetime,
    *,
    errors: int,
    base_minutes: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """After `errors` consecutive failures: base doubled per failure (capped), or Retry-After."""
    exponent = min(max(errors - 1, 0), 16)
    interval = timedelta(minutes=base_minutes) * (2**exponent)
    if retry_after:
        interval = max(interval, timedelta(seconds=retry_after))
    return _jittered(now, interval, rng or random.Random())
