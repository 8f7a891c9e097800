"""Dedup keys: canonical URLs, content hashes, and SimHash for near-duplicate stories."""

from __future__ import annotations

import hashlib
import re
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mkt_tok", "_ga", "_gl", "spm", "ncid", "cmpid",
        "s_cid", "icid", "ocid", "srsltid", "ref_src", "ref_url", "rss", "feed", "feedname",
        "from_rss", "xtor", "at_medium", "at_campaign", "wt_mc", "ito", "cx_testid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "_hs", "hsa_", "oly_", "vero_", "__")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_WORD = re.compile(r"\w+", re.UNICODE)

SHINGLE = 3
MIN_TOKENS = 50  # below this a fingerprint says more about boilerplate than about the story
MAX_TOKENS = 2000
# Bits of 64 that may differ for two texts to count as the same story. SimHash over shingles
# flips about 6-9 bits when a wire story is republished with a new title and dateline or a
# sentence dropped; unrelated articles, even on the same topic and template, differ in 20+.
NEAR = 10
_MASK64 = (1 << 64) - 1
_P1 = np.uint64(0x9E3779B97F4A7C15)  # odd multipliers keep the shingle's token order
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_MIX = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's finalizer constant
_SHIFT = np.uint64(33)


def canonical_url(url: str | None) -> str | None:
    """One spelling per article: https, lower-case host without www, no default port,
    no fragment, no tracking parameters, sorted query, no trailing slash."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".").removeprefix("www.")
    if port and port != _DEFAULT_PORTS[parts.scheme.lower()]:
        host = f"{host}:{port}"
    path = _PERCENT.sub(lambda m: m.group(0).upper(), parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    )
    return urlunsplit(("https", host, path, urlencode(query), ""))


def normalized_words(text: str) -> list[str]:
    """Lower-case word tokens, the basis of both the content hash and the fingerprint."""
    return _WORD.findall(text.casefold())


def fingerprints(title: str, text: str, *, min_chars: int = 200) -> tuple[str | None, int | None]:
    """(content hash, SimHash) of an article, tokenizing it once."""
    title_words = normalized_words(title)
    words = normalized_words(text)
    digest = None
    if len(text) >= min_chars:
        digest = hashlib.sha256(" ".join([*title_words, "\n", *words]).encode()).hexdigest()
    return digest, _simhash_of([*title_words, *words])


def content_hash(title: str, text: str, *, min_chars: int = 200) -> str | None:
    """SHA-256 of the normalized title and text; None when the text is too short to be telling."""
    return fingerprints(title, text, min_chars=min_chars)[0]


def simhash(text: str) -> int | None:
    """A 64-bit SimHash over word 3-shingles, as a signed int (BigInteger), or None if short."""
    return _simhash_of(normalized_words(text))


def _simhash_of(tokens: list[str]) -> int | None:
    tokens = tokens[:MAX_TOKENS]
    if len(tokens) < MIN_TOKENS:
        return None
    # CRC-32 per token (C speed, and stable across processes, unlike hash()); a shingle combines
    # three tokens in order and one multiply-xorshift round spreads it over 64 bits. Repeated
    # shingles vote as often as they occur, as in weighted SimHash.
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), np.uint64, len(tokens))
    with np.errstate(over="ignore"):
        shingles = hashes[:-2] * _P1 + hashes[1:-1] * _P2 + hashes[2:]
        shingles ^= shingles >> _SHIFT
        shingles *= _MIX
        shingles ^= shingles >> _SHIFT
    bits = np.unpackbits(shingles.astype("<u8", copy=False).view(np.uint8), bitorder="little")
    ones = bits.reshape(-1, 64).sum(axis=0)
    majority = np.packbits(ones * 2 > len(shingles), bitorder="little")
    return int.from_bytes(majority.tobytes(), "little", signed=True)


def hamming(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return ((a ^ b) & _MASK64).bit_count()


class StoryIndex:
    """Recent fingerprints in flat arrays; a lookup compares against all of them at once.

    Vectorized popcount over tens of thousands of 64-bit values takes microseconds, which beats
    banding tricks that only guarantee a match for a handful of differing bits.
    """

    def __init__(self) -> None:
        self._ids = np.zeros(1024, dtype=np.int64)
        self._prints = np.zeros(1024, dtype=np.uint64)
        self._stories = np.zeros(1024, dtype=np.int64)
        self.size = 0
        self.last_id = 0

    def add(self, article_id: int, fingerprint: int, story_id: int) -> None:
        """Remember an article's fingerprint and the story it belongs to."""
        if self.size == len(self._ids):
            self._ids = np.resize(self._ids, self.size * 2)
            self._prints = np.resize(self._prints, self.size * 2)
            self._stories = np.resize(self._stories, self.size * 2)
        self._ids[self.size] = article_id
        self._prints[self.size] = fingerprint & _MASK64
        self._stories[self.size] = story_id
        self.size += 1
        self.last_id = max(self.last_id, article_id)

    def find(self, fingerprint: int) -> int | None:
        """The story of the closest remembered fingerprint within NEAR bits (oldest on ties)."""
        if not self.size:
            return None
        query = np.uint64(fingerprint & _MASK64)
        distances = np.bitwise_count(self._prints[: self.size] ^ query)
        best = int(np.argmin(distances))  # the first minimum: the oldest, as rows come in order
        return int(self._stories[best]) if distances[best] <= NEAR else None
