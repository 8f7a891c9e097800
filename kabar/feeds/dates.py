"""Item dates in any format to aware UTC; missing or impossible dates become the fetch time."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime, timedelta

FUTURE_SLACK = timedelta(minutes=15)  # clocks and time zones are often a little off
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # before the web had news feeds: a broken date


def from_struct(value: time.struct_time | None) -> datetime | None:
    """A UTC struct_time (as feedparser gives) as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def parse_date(text: str | None) -> datetime | None:
    """RFC 3339 / ISO 8601, RFC 822 and the other forms feedparser knows, as aware UTC."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()[:100]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        from feedparser.datetimes import _parse_date  # covers RFC 822, W3DTF, asctime and more

        return from_struct(_parse_date(text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def settle(moment: datetime | None, fetched_at: datetime) -> datetime:
    """The date to store: missing, far-future and pre-web dates become the fetch time."""
    if moment is None or moment > fetched_at + FUTURE_SLACK or moment < EARLIEST:
        return fetched_at
    return moment
