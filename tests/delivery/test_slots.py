"""Digest slots: the right UTC instant in every zone, once per local day, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kabar.slots import latest_due, next_slot, normalize_times, parse_time, slot_instant


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parse_and_normalize() -> None:
    assert parse_time("06:00") == time(6, 0)
    assert parse_time(" 7:05 ") == time(7, 5)
    for bad in ("24:00", "06:60", "6", "06:5", "ab:cd", "", "-1:00"):
        assert parse_time(bad) is None
    assert normalize_times(["18:00", "6:00", "06:00", "nope"]) == ["06:00", "18:00"]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Jakarta", utc(2026, 3, 9, 23, 0)),  # WIB, UTC+7
        ("Asia/Makassar", utc(2026, 3, 9, 22, 0)),  # WITA, UTC+8
        ("Asia/Jayapura", utc(2026, 3, 9, 21, 0)),  # WIT, UTC+9
        ("Europe/London", utc(2026, 3, 10, 6, 0)),  # GMT in March before the change
        ("America/New_York", utc(2026, 3, 10, 10, 0)),  # EDT since 8 March
        ("Asia/Kolkata", utc(2026, 3, 10, 0, 30)),  # half-hour offset
    ],
)
def test_six_am_in_each_zone(zone: str, expected: datetime) -> None:
    assert slot_instant(date(2026, 3, 10), time(6, 0), ZoneInfo(zone)) == expected


def test_the_same_moment_is_due_for_some_zones_only() -> None:
    now = utc(2026, 3, 9, 23, 0, 30)  # 06:00:30 in Jakarta, 07:00:30 in Makassar
    after = now - timedelta(minutes=60)
    jakarta = latest_due(["06:00"], "Asia/Jakarta", now, after=after)
    assert jakarta is not None
    assert jakarta.key == "2026-03-10T06:00"
    assert latest_due(["06:00"], "Asia/Makassar", now, after=after) is None
    assert latest_due(["06:00"], "Asia/Jayapura", now, after=after) is None
    assert latest_due(["07:00"], "Asia/Makassar", now, after=after) is not None


def test_spring_forward_gap_fires_when_the_clock_jumps() -> None:
    ny = ZoneInfo("America/New_York")  # 2026-03-08 02:00 EST -> 03:00 EDT
    day = date(2026, 3, 8)
    assert slot_instant(day, time(1, 30), ny) == utc(2026, 3, 8, 6, 30)  # EST
    assert slot_instant(day, time(2, 30), ny) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    assert slot_instant(day, time(3, 30), ny) == utc(2026, 3, 8, 7, 30)  # EDT


def test_fall_back_overlap_fires_at_the_first_occurrence() -> None:
    ny = ZoneInfo("America/New_York")  # 2026-11-01 02:00 EDT -> 01:00 EST
    assert slot_instant(date(2026, 11, 1), time(1, 30), ny) == utc(2026, 11, 1, 5, 30)
    # At the second 01:30 (EST), the slot handled at the first one is not due again.
    second = utc(2026, 11, 1, 6, 30, 30)
    assert latest_due(["01:30"], "America/New_York", second, after=utc(2026, 11, 1, 5, 30)) is None


def _simulate(zone: str, times: list[str], start: datetime, hours: int) -> list[str]:
    """A tick every minute; each due slot is "sent" and becomes the chat's last digest."""
    sent: list[str] = []
    last: datetime | None = None
    now = start
    while now < start + timedelta(hours=hours):
        after = max(now - timedelta(minutes=60), last or start - timedelta(days=1))
        slot = latest_due(times, zone, now, after=after)
        if slot is not None:
            sent.append(slot.key)
            last = slot.at
        now += timedelta(minutes=1)
    return sent


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("America/New_York", utc(2026, 3, 7, 12)),  # spring forward at 02:00
        ("America/New_York", utc(2026, 10, 31, 12)),  # fall back at 02:00
        ("Europe/London", utc(2026, 3, 28, 12)),  # spring forward at 01:00
        ("Europe/London", utc(2026, 10, 24, 12)),  # fall back at 02:00
        ("Australia/Lord_Howe", utc(2026, 4, 3, 12)),  # a half-hour DST change
        ("Asia/Jakarta", utc(2026, 3, 7, 12)),  # no DST at all
    ],
)
def test_every_slot_fires_exactly_once_across_a_dst_change(zone: str, start: datetime) -> None:
    times = ["00:30", "01:30", "02:30", "06:00", "18:00"]
    sent = _simulate(zone, times, start, hours=48)
    assert len(sent) == len(set(sent)), "a slot was sent twice"
    # Two full local days in the middle of the run each get every slot exactly once.
    first_local = start.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    for day in (first_local, first_local + timedelta(days=1)):
        expected = {f"{day.isoformat()}T{t}" for t in times}
        got = {key for key in sent if key.startswith(day.isoformat())}
        if day == first_local + timedelta(days=1):
            # The run ends mid-day: only the slots before its end.
            end = start + timedelta(hours=48)
            expected = {
                k
                for k in expected
                if slot_instant(day, time.fromisoformat(k[-5:]), ZoneInfo(zone)) < end
            }
        assert got == expected


def test_slots_of_a_gap_and_the_next_minute_do_not_double_up() -> None:
    # 02:30 does not exist on the spring-forward day and fires at 03:00, as does 03:00 itself.
    sent = _simulate("America/New_York", ["02:30", "03:00"], utc(2026, 3, 8, 5), hours=4)
    assert len(sent) == 1


def test_a_worker_down_for_a_while_catches_up_once_within_the_window() -> None:
    zone = "Asia/Jakarta"
    slot_at = utc(2026, 3, 9, 23, 0)
    late = slot_at + timedelta(minutes=40)
    found = latest_due(["06:00"], zone, late, after=late - timedelta(minutes=60))
    assert found is not None
    assert found.at == slot_at
    too_late = slot_at + timedelta(minutes=90)
    assert latest_due(["06:00"], zone, too_late, after=too_late - timedelta(minutes=60)) is None


def test_only_the_latest_of_several_due_slots_is_returned() -> None:
    now = utc(2026, 3, 9, 23, 45)  # 06:45 in Jakarta
    found = latest_due(["06:00", "06:30"], "Asia/Jakarta", now, after=now - timedelta(hours=1))
    assert found is not None
    assert found.local_time == "06:30"


def test_unknown_zone_or_no_times_is_never_due() -> None:
    now = utc(2026, 3, 9, 23, 0)
    assert latest_due(["06:00"], "Mars/Olympus", now, after=now - timedelta(hours=1)) is None
    assert latest_due([], "Asia/Jakarta", now, after=now - timedelta(hours=1)) is None


def test_next_slot_crosses_midnight() -> None:
    now = utc(2026, 3, 10, 12, 0)  # 19:00 in Jakarta
    nxt = next_slot(["06:00", "18:00"], "Asia/Jakarta", now)
    assert nxt is not None
    assert nxt.key == "2026-03-11T06:00"
