"""callback_data for the buttons the core puts on messages: pure encode/decode, <= 64 bytes.

Each button is a small frozen dataclass with a short prefix. `decode` returns None for anything
it does not recognise (stale buttons from an older release, garbage from a client), so a handler
can answer "this button has expired" instead of crashing.

    mu:<feed_id>                    mute a source for this chat
    um:<feed_id>                    unmute it again
    dp:<since>:<until>:<page>       page of the digest cut at (since, until], times in base 36
    bc:<broadcast_id>               cancel a broadcast (the admin's progress message)
    x                               a label button that does nothing
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MAX_BYTES = 64
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class MuteSource:
    """Stop showing this source in the chat's digests."""

    feed_id: int


@dataclass(frozen=True, slots=True)
class UnmuteSource:
    """Show this source again."""

    feed_id: int


@dataclass(frozen=True, slots=True)
class DigestPage:
    """Show page `page` (0-based) of the digest with articles fetched in (since, until]."""

    since: datetime
    until: datetime
    page: int


@dataclass(frozen=True, slots=True)
class CancelBroadcast:
    """Cancel the broadcast (admins only; the handler checks)."""

    broadcast_id: int


@dataclass(frozen=True, slots=True)
class Noop:
    """A label, such as a page counter."""


Callback = MuteSource | UnmuteSource | DigestPage | CancelBroadcast | Noop


def _b36(value: int) -> str:
    if value < 0:
        raise ValueError("negative values are not encoded")
    out = ""
    while True:
        value, digit = divmod(value, 36)
        out = _DIGITS[digit] + out
        if value == 0:
            return out


def _int36(text: str) -> int | None:
    if not text or len(text) > 7 or any(c not in _DIGITS for c in text):
        return None
    return int(text, 36)


def _id(text: str) -> int | None:
    if not text.isdigit() or len(text) > 19 or (len(text) > 1 and text[0] == "0"):
        return None
    return int(text)


def encode(cb: Callback) -> str:
    """The callback_data string for `cb`; raises ValueError if it would not fit 64 bytes."""
    match cb:
        case MuteSource(feed_id):
            data = f"mu:{feed_id}"
        case UnmuteSource(feed_id):
            data = f"um:{feed_id}"
        case DigestPage(since, until, page):
            data = f"dp:{_b36(int(since.timestamp()))}:{_b36(int(until.timestamp()))}:{page}"
        case CancelBroadcast(broadcast_id):
            data = f"bc:{broadcast_id}"
        case Noop():
            data = "x"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback_data is {len(data.encode())} bytes; Telegram allows 64")
    return data


_BY_ID: dict[str, type[MuteSource | UnmuteSource | CancelBroadcast]] = {
    "mu": MuteSource,
    "um": UnmuteSource,
    "bc": CancelBroadcast,
}


def _page(parts: list[str]) -> DigestPage | None:
    since, until, page = _int36(parts[0]), _int36(parts[1]), _id(parts[2])
    if since is None or until is None or page is None or since > until:
        return None
    try:
        start, end = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return DigestPage(start, end, page)


def decode(data: str | None) -> Callback | None:
    """The button `data` encodes, or None if it is not one of ours."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if data == "x":
        return Noop()
    prefix, _, rest = data.partition(":")
    parts = rest.split(":")
    kind = _BY_ID.get(prefix)
    if kind is not None and len(parts) == 1:
        number = _id(parts[0])
        return kind(number) if number is not None else None
    if prefix == "dp" and len(parts) == 3:
        return _page(parts)
    return None
