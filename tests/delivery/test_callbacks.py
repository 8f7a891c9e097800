"""callback_data: round trips, the 64-byte limit, and garbage or stale data decoding to None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabar import callbacks
from kabar.callbacks import CancelBroadcast, DigestPage, MuteSource, Noop, UnmuteSource

BIG = 2**62


@pytest.mark.parametrize(
    "cb",
    [
        MuteSource(1),
        UnmuteSource(BIG),
        CancelBroadcast(42),
        Noop(),
        DigestPage(datetime(2026, 3, 9, 23, 0, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC), 3),
    ],
)
def test_round_trip_within_64_bytes(cb: callbacks.Callback) -> None:
    data = callbacks.encode(cb)
    assert len(data.encode()) <= 64
    assert callbacks.decode(data) == cb


@given(
    since=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    span=st.integers(0, 10**7),
    page=st.integers(0, 10**6),
)
def test_digest_pages_round_trip_to_the_second(since: datetime, span: int, page: int) -> None:
    start = since.replace(tzinfo=UTC, microsecond=0)
    end = datetime.fromtimestamp(start.timestamp() + span, UTC)
    cb = DigestPage(start, end, page)
    assert callbacks.decode(callbacks.encode(cb)) == cb


@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(data: str) -> None:
    result = callbacks.decode(data)
    if result is not None:
        assert callbacks.encode(result) == data


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "mu:",
        "mu:abc",
        "mu:-1",
        "mu:01",
        "mu:1:2",
        "dp:1:2",
        "dp:zz:1:0",
        "dp:1:2:x",
        "dp:zzzzzzzz:1:0",
        "zz:1",
        "x:1",
        "m" * 65,
        "bc:" + "9" * 30,
    ],
)
def test_stale_or_garbage_data_is_not_ours(data: str | None) -> None:
    assert callbacks.decode(data) is None
