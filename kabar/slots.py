"""Digest slot math: which of a chat's local digest times are due now, correct across DST.

A slot is one of a chat's digest times on one local calendar day, named by its local date and
time ("2026-03-08T06:00"); that name is part of the outbox dedupe key, so a slot is queued at most
once. Its instant is the UTC moment the wall clock shows that time:

- a time that does not exist that day (the hour skipped when clocks spring forward) fires at the
  first minute that does exist after it, like cron;
- a time that happens twice (the hour repeated when clocks fall back) fires at its first
  occurrence only, because both occurrences share one name.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache

# Longest run of non-existent wall time to step over (Samoa skipped a whole day in 2011).
_MAX_GAP = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class Slot:
    """One digest time on one local day, and the UTC instant it fires."""

    key: str  # "2026-03-08T06:00" in the chat's zone
    at: datetime  # aware UTC

    @property
    def local_time(self) -> str:
        """The wall-clock time the chat chose, "06:00"."""
        return self.key[-5:]


@lru_cache(maxsize=4096)
def parse_time(value: str) -> time | None:
    """ "06:00" -> time(6, 0); anything else (or out of range) -> None."""
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def normalize_times(values: Iterable[str]) -> list[str]:
    """Valid "HH:MM" strings, zero-padded, sorted and without repeats."""
    parsed = {t for t in (parse_time(v) for v in values) if t is not None}
    return [t.strftime("%H:%M") for t in sorted(parsed)]


@cache
def zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone, or None when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _exists(wall: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Whether the naive wall time `wall` is shown by clocks in `tz` at some instant."""
    back = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == wall


def slot_instant(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz` (gaps: the first minute after)."""
    wall = datetime.combine(day, at)
    limit = wall + _MAX_GAP
    while not _exists(wall, tz) and wall < limit:
        wall = (wall + timedelta(minutes=1)).replace(second=0, microsecond=0)
    # fold=0 is the first of two occurrences in an overlap.
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def slot_for(day: date, at: time, tz: zoneinfo.ZoneInfo) -> Slot:
    """The slot of `at` on local `day`."""
    return Slot(key=f"{day.isoformat()}T{at.strftime('%H:%M')}", at=slot_instant(day, at, tz))


@lru_cache(maxsize=16384)
def _cached_slot(day: date, at: time, tz_name: str) -> Slot | None:
    # Every tick asks the same few (day, time, zone) questions for thousands of chats.
    tz = zone(tz_name)
    return slot_for(day, at, tz) if tz is not None else None


def recent(times: Sequence[str], tz_name: str, now: datetime) -> list[Slot]:
    """The slots of yesterday and today (local) that are not in the future, latest first.

    The window can reach back across local midnight, and a DST gap can push yesterday's late
    slot past midnight: both days are looked at.
    """
    tz = zone(tz_name)
    if tz is None or not times:
        return []
    today = now.astimezone(tz).date()
    parsed = [p for p in (parse_time(v) for v in times) if p is not None]
    found = [
        slot
        for day in (today - timedelta(days=1), today)
        for at in parsed
        if (slot := _cached_slot(day, at, tz_name)) is not None and slot.at <= now
    ]
    return sorted(found, key=lambda s: s.at, reverse=True)


def latest_due(
    times: Sequence[str],
    tz_name: str,
    now: datetime,
    *,
    after: datetime,
) -> Slot | None:
    """The latest slot with `after < slot.at <= now`, or None.

    `after` is the newest of: the chat's last digest, its creation, and now minus the catch-up
    window; so a slot that was handled, or that passed too long ago, is never due again.
    """
    return first_after(recent(times, tz_name, now), after)


def first_after(latest_first: Sequence[Slot], after: datetime) -> Slot | None:
    """The first slot of a latest-first list that is later than `after`."""
    if latest_first and latest_first[0].at > after:
        return latest_first[0]
    return None


def next_slot(times: Sequence[str], tz_name: str, now: datetime) -> Slot | None:
    """The first slot strictly after `now` (for "your next digest is at ..." texts)."""
    tz = zone(tz_name)
    parsed = [p for p in (parse_time(v) for v in times) if p is not None]
    if tz is None or not parsed:
        return None
    today = now.astimezone(tz).date()
    candidates = [slot_for(today + timedelta(days=d), at, tz) for d in range(3) for at in parsed]
    later = [s for s in candidates if s.at > now]
    return min(later, key=lambda s: s.at) if later else None
