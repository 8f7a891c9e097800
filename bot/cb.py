"""Callback data: a namespace and a few short fields, always within Telegram's 64 bytes."""

from __future__ import annotations

MAX_BYTES = 64
SEP = ":"


def pack(namespace: str, *fields: str | int) -> str:
    """`namespace:field:field`; ValueError if it would not fit or a field holds the separator."""
    parts = [namespace, *(str(f) for f in fields)]
    if any(SEP in p for p in parts):
        raise ValueError(f"callback field contains {SEP!r}: {parts!r}")
    data = SEP.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, list[str]]:
    """The namespace and fields of `data`; ("", []) for data this bot did not make."""
    if not data or len(data.encode()) > MAX_BYTES:
        return "", []
    namespace, *fields = data.split(SEP)
    return namespace, fields


def as_int(value: str, *, low: int = 0, high: int = 2**62) -> int | None:
    """`value` as an int within [low, high], or None (buttons can be old or forged)."""
    if not value.lstrip("-").isdigit() or len(value) > 20:
        return None
    number = int(value)
    return number if low <= number <= high else None
