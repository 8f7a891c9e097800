"""Next-check arithmetic: base, ttl, caching headers, Retry-After, backoff, cap and jitter."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from kabar.feeds.schedule import (
    MAX_INTERVAL,
    backoff_check,
    cache_seconds,
    next_check,
    retry_after_seconds,
)

NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def _delay(moment: datetime) -> timedelta:
    return moment - NOW


def test_base_interval_with_jitter_within_a_tenth() -> None:
    rng = random.Random(1)
    delays = [_delay(next_check(NOW, base_minutes=15, rng=rng)) for _ in range(200)]
    assert min(delays) >= timedelta(minutes=15)
    assert max(delays) <= timedelta(minutes=16.5)
    assert len(set(delays)) > 100  # spread, not lockstep


def test_the_largest_of_ttl_max_age_expires_and_retry_after_wins() -> None:
    assert _delay(next_check(NOW, base_minutes=15, ttl_minutes=60)) >= timedelta(minutes=60)
    headers = {"cache-control": "public, max-age=7200"}
    assert _delay(next_check(NOW, base_minutes=15, headers=headers)) >= timedelta(hours=2)
    expires = {"expires": "Wed, 20 Nov 2024 15:00:00 GMT", "date": "Wed, 20 Nov 2024 12:00:00 GMT"}
    assert _delay(next_check(NOW, base_minutes=15, headers=expires)) >= timedelta(hours=3)
    assert _delay(next_check(NOW, base_minutes=15, retry_after=5400)) >= timedelta(minutes=90)
    small = {"cache-control": "max-age=60"}
    delay = _delay(next_check(NOW, base_minutes=15, ttl_minutes=5, headers=small))
    assert timedelta(minutes=15) <= delay <= timedelta(minutes=16.5)


def test_everything_is_capped_at_a_day() -> None:
    far = {"cache-control": "max-age=9999999"}
    for _ in range(50):
        moment = next_check(NOW, base_minutes=15, ttl_minutes=100_000, headers=far)
        assert timedelta(hours=21) <= _delay(moment) <= MAX_INTERVAL


def test_no_cache_and_garbage_headers_fall_back_to_base() -> None:
    assert cache_seconds({"cache-control": "no-cache, max-age=9000"}, NOW) is None
    assert cache_seconds({"expires": "not a date"}, NOW) is None
    assert cache_seconds({"expires": "0"}, NOW) is None


def test_backoff_doubles_per_failure_and_stops_at_a_day() -> None:
    rng = random.Random(2)
    delays = [_delay(backoff_check(NOW, errors=n, base_minutes=15, rng=rng)) for n in range(1, 9)]
    assert timedelta(minutes=15) <= delays[0] <= timedelta(minutes=16.5)
    assert timedelta(minutes=60) <= delays[2] <= timedelta(minutes=66)
    assert all(b > a for a, b in itertools.pairwise(delays))
    assert delays[-1] <= MAX_INTERVAL
    assert _delay(backoff_check(NOW, errors=200, base_minutes=15)) <= MAX_INTERVAL


def test_backoff_honours_retry_after() -> None:
    moment = backoff_check(NOW, errors=1, base_minutes=15, retry_after=3 * 3600)
    assert _delay(moment) >= timedelta(hours=3)


def test_retry_after_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Wed, 20 Nov 2024 12:30:00 GMT", NOW) == 1800
    assert retry_after_seconds("Wed, 20 Nov 2024 11:00:00 GMT", NOW) == 0
    assert retry_after_seconds("99999999999", NOW) == 7 * 24 * 3600
    assert retry_after_seconds("soon", NOW) is None
