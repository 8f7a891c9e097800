"""Decoding a streamed body under a cap: gzip, deflate, identity, bombs and corruption."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import pytest

from kabar.errors import FetchError
from kabar.feeds.body import read_capped


async def _chunks(data: bytes, size: int, taken: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if taken is not None:
            taken.append(size)
        yield data[start : start + size]


PAYLOAD = b"<rss>" + b"kabar " * 5000 + b"</rss>"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        (None, PAYLOAD),
        ("identity", PAYLOAD),
        ("gzip", gzip.compress(PAYLOAD)),
        ("x-gzip", gzip.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)[2:-4]),  # raw deflate, as some servers send it
    ],
)
async def test_bodies_decode(encoding: str | None, data: bytes) -> None:
    assert await read_capped(_chunks(data, 1000), encoding, 1_000_000) == PAYLOAD


def _bomb(decoded: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(decoded // len(block))]
    return b"".join(parts) + compressor.flush()


async def test_gzip_bomb_stops_at_the_cap_after_reading_little() -> None:
    bomb = _bomb(200_000_000)  # 200 MB of zeros in about 200 KB
    assert len(bomb) < 500_000
    taken: list[int] = []
    with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
        await read_capped(_chunks(bomb, 16_384, taken), "gzip", 1_000_000)
    # The cap is checked while inflating: a few compressed chunks were enough to exceed it.
    assert sum(taken) < 64 * 1024


async def test_identity_body_over_the_cap_stops() -> None:
    taken: list[int] = []
    with pytest.raises(FetchError, match="larger than"):
        await read_capped(_chunks(b"x" * 10_000_000, 65_536, taken), None, 100_000)
    assert sum(taken) <= 2 * 65_536


async def test_corrupt_and_unknown_encodings_are_fetch_errors() -> None:
    with pytest.raises(FetchError, match="corrupt gzip"):
        await read_capped(_chunks(b"not gzip at all" * 10, 50), "gzip", 1_000_000)
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        await read_capped(_chunks(PAYLOAD, 1000), "br", 1_000_000)
