"""Decode a streamed HTTP body with a hard cap on the decoded size (gzip bombs stop early)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

from kabar.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024  # never inflate more than this per call, whatever the compressed chunk holds


class _Inflater:
    """zlib inflation that yields at most _STEP bytes per step, so the cap is checked often."""

    def __init__(self, encoding: str) -> None:
        # 16 + MAX_WBITS: gzip wrapper; for deflate, sniff zlib-wrapped vs raw on the first byte.
        self._encoding = encoding
        self._obj: zlib._Decompress | None = (
            zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        )

    def _ensure(self, first: bytes) -> zlib._Decompress:
        if self._obj is None:
            zlib_wrapped = bool(first) and (first[0] & 0x0F) == 8 and (first[0] >> 4) <= 7
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        return self._obj

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Inflate `data` step by step; the caller checks its cap between steps."""
        obj = self._ensure(data)
        pending = data
        while pending and not obj.eof:
            piece = obj.decompress(pending, _STEP)
            pending = obj.unconsumed_tail
            if piece:
                yield piece

    def flush(self) -> bytes:
        return self._obj.flush() if self._obj is not None else b""


def _encoding_of(header: str | None) -> str:
    value = (header or "identity").strip().lower()
    if value in ("", "identity"):
        return "identity"
    if value in ("gzip", "x-gzip"):
        return "gzip"
    if value == "deflate":
        return "deflate"
    raise FetchError(f"unsupported Content-Encoding {value[:40]!r}")


async def read_capped(
    chunks: AsyncIterator[bytes], content_encoding: str | None, max_bytes: int
) -> bytes:
    """The decoded body; FetchError as soon as more than `max_bytes` would be decoded."""
    encoding = _encoding_of(content_encoding)
    inflater = _Inflater(encoding) if encoding != "identity" else None
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in chunks:
            pieces = inflater.feed(chunk) if inflater else (chunk,)
            for piece in pieces:
                size += len(piece)
                if size > max_bytes:
                    raise FetchError(f"body is larger than {max_bytes:,} bytes (decoded)")
                parts.append(piece)
        if inflater is not None:
            tail = inflater.flush()
            size += len(tail)
            if size > max_bytes:
                raise FetchError(f"body is larger than {max_bytes:,} bytes (decoded)")
            parts.append(tail)
    except zlib.error as exc:
        raise FetchError(f"corrupt {encoding} body: {exc}") from None
    return b"".join(parts)
