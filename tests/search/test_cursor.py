"""Cursors: round trip, size limits, and refusal of anything else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kabar.search.cursor import (
    MAX_CURSOR_CHARS,
    NewestCursor,
    RelevanceCursor,
    check_bytes,
    decode,
    encode,
)

CHECK = check_bytes("query", "filters")
BIG = 2**31 - 1


def test_round_trip_and_worst_case_size() -> None:
    for cursor in (
        NewestCursor(-(2**62), BIG),
        NewestCursor(2**62, BIG),
        NewestCursor(1_732_900_000_000_000, 42),
        RelevanceCursor(BIG, 2**32 - 1, 2**16 - 1, BIG),
        RelevanceCursor(10, 29_000_000, 20, 7),
    ):
        text = encode(cursor, CHECK)
        assert decode(text, CHECK) == cursor
        assert len(text) <= MAX_CURSOR_CHARS
        assert len(("s:" + text).encode()) <= 64  # callback_data with a bot prefix


def test_typical_cursors_are_short() -> None:
    assert len(encode(NewestCursor(1_732_900_000_123_456, 1_000_000), CHECK)) <= 24
    assert len(encode(RelevanceCursor(1_000_000, 29_000_000, 990, 999_999), CHECK)) <= 24


def test_a_cursor_of_another_query_is_refused() -> None:
    text = encode(NewestCursor(1, 2), CHECK)
    assert decode(text, check_bytes("other query")) is None


@given(st.text(max_size=80))
def test_garbage_never_raises(text: str) -> None:
    decode(text, CHECK)


def test_out_of_range_values_are_refused() -> None:
    import base64

    body = b"r" + CHECK + bytes([0xFF] * 9 + [0x01]) + b"\x01\x01\x01"
    assert decode(base64.urlsafe_b64encode(body).decode().rstrip("="), CHECK) is None
