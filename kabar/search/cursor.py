"""Page cursors small enough for Telegram's 64-byte `next_offset` and `callback_data`.

A cursor is URL-safe base64 without padding of a few bytes; the longest is well under 48
characters, leaving room for a short prefix the bot adds to callback data:

    byte 0      kind: b"n" newest first, b"r" relevance
    bytes 1-2   check: the first two bytes of blake2b(query, filters, order); a cursor replayed
                with another query or filters is refused (an empty page), not misread
    then, as varints (7 bits a byte; signed values zigzag-encoded):
      newest:    the engine's sort position of the last item (zigzag), its id; on SQLite the
                 FTS5 rowid (publication minute and id), on PostgreSQL published_at in
                 microseconds since the epoch
      relevance: snapshot (the highest article id the first page could see), the reference time
                 of the recency boost (minutes since the epoch), the offset of the next item in
                 the ranked window, and the id of the last item shown

Newest-first pages are keyset pages on (position, id): inserts and deletes never shift them.
Relevance pages rank the same bounded window on every page (same snapshot, same reference time)
and resume right after the last item shown, found by id (the offset is only the fallback when
that item was deleted meanwhile), so a page neither repeats nor skips an item.
Past a full window, relevance goes on with a newest cursor after the window's oldest match: the
older matches, by date.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

MAX_CURSOR_CHARS = 48
MAX_ID = 2**31 - 1  # articles.id is a 32-bit integer on PostgreSQL
MAX_MINUTE = 2**32 - 1
MAX_OFFSET = 2**16 - 1
MAX_POSITION = 2**62


@dataclass(frozen=True, slots=True)
class NewestCursor:
    """Resume newest-first results after (position, id)."""

    position: int
    article_id: int


@dataclass(frozen=True, slots=True)
class RelevanceCursor:
    """Resume a relevance ranking of a fixed window."""

    snapshot: int
    ref_minute: int
    offset: int
    article_id: int


Cursor = NewestCursor | RelevanceCursor


def check_bytes(*parts: object) -> bytes:
    """Two bytes that tie a cursor to the query, filters and order that made it."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "replace"), digest_size=2)
    return digest.digest()


def _valid(cursor: Cursor) -> bool:
    if isinstance(cursor, NewestCursor):
        return abs(cursor.position) <= MAX_POSITION and 0 <= cursor.article_id <= MAX_ID
    return (
        0 <= cursor.snapshot <= MAX_ID
        and 0 <= cursor.ref_minute <= MAX_MINUTE
        and 0 <= cursor.offset <= MAX_OFFSET
        and 0 <= cursor.article_id <= MAX_ID
    )


def encode(cursor: Cursor, check: bytes) -> str:
    """The cursor as a short URL-safe string (at most 31 characters)."""
    if not _valid(cursor):
        raise ValueError(f"cursor out of range: {cursor}")
    if isinstance(cursor, NewestCursor):
        body = b"n" + check + _varint(_zigzag(cursor.position)) + _varint(cursor.article_id)
    else:
        body = (
            b"r"
            + check
            + b"".join(
                _varint(v)
                for v in (cursor.snapshot, cursor.ref_minute, cursor.offset, cursor.article_id)
            )
        )
    return base64.urlsafe_b64encode(body).rstrip(b"=").decode("ascii")


def decode(text: str, check: bytes) -> Cursor | None:
    """The cursor `text` encodes, or None when it is malformed or made for another query."""
    if not text or len(text) > MAX_CURSOR_CHARS or not text.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    if len(raw) < 4 or raw[1:3] != check:
        return None
    values = _read_varints(raw[3:])
    cursor: Cursor | None = None
    if raw[:1] == b"n" and values is not None and len(values) == 2:
        cursor = NewestCursor(_unzigzag(values[0]), values[1])
    elif raw[:1] == b"r" and values is not None and len(values) == 4:
        cursor = RelevanceCursor(*values)
    return cursor if cursor is not None and _valid(cursor) else None


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def _varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varints are unsigned")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varints(data: bytes) -> list[int] | None:
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if shift > 70:  # more than 64 bits: not ours
            return None
        if not byte & 0x80:
            values.append(value)
            value = shift = 0
    return values if shift == 0 else None
