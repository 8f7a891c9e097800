"""The analyzer both engines share: fold, tokenize and stem text into index and query terms.

A token is a run of letters, digits and combining marks in the original text. Each token is
folded (NFKD, accents dropped, case-folded) and split again on whatever folding turned into a
separator, so the same function yields the terms of a document, of a query and the spans a snippet
marks. Documents are stemmed in their own language (Snowball for Indonesian and English, the
folded word itself otherwise); a query word may meet a document in any of those, so it becomes a
small set of variants, one per analysis (`variants`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

from kabar.text.stem import stemmer

# Languages whose documents are stemmed; every other language (and unknown) is indexed as folded
# words. Queries are expanded over this same list, which is what keeps the two sides in step.
STEMMED_LANGUAGES = ("id", "en")
MAX_TOKEN_CHARS = 64  # longer "words" are hashes, URLs or base64: never worth indexing
MAX_DOCUMENT_TERMS = 8000  # per field; PostgreSQL keeps positions up to 16383 anyway

_TOKEN = regex.compile(r"[\p{L}\p{N}\p{M}]+")


@dataclass(frozen=True, slots=True)
class Token:
    """One analyzed token and where it stands in the original text."""

    term: str  # folded, not stemmed
    start: int
    end: int


@lru_cache(maxsize=131_072)
def _fold(word: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = unicodedata.normalize("NFC", bare.casefold())
    return tuple(t for t in _TOKEN.findall(folded) if len(t) <= MAX_TOKEN_CHARS)


def fold(word: str) -> tuple[str, ...]:
    """The folded tokens of one raw word (usually one; none for junk)."""
    return _fold(word)


def raw_words(text: str) -> Iterator[tuple[str, int, int]]:
    """Every raw (unfolded) word of `text` with its span."""
    for match in _TOKEN.finditer(text):
        yield match.group(), match.start(), match.end()


def tokens(text: str) -> Iterator[Token]:
    """Every folded token of `text` with its span in `text`."""
    for match in _TOKEN.finditer(text):
        for term in _fold(match.group()):
            yield Token(term, match.start(), match.end())


def words(text: str) -> list[str]:
    """The folded tokens of `text`, unstemmed."""
    return [t.term for t in tokens(text)]


def document_language(language: str | None) -> str | None:
    """The analysis a document in `language` gets: a stemmed language, or None (folded words)."""
    code = (language or "").lower().split("-", 1)[0]
    return code if code in STEMMED_LANGUAGES else None


def stem(term: str, language: str | None) -> str:
    """`term` stemmed the way a document in `language` is indexed."""
    analysis = document_language(language)
    return stemmer(analysis)(term) if analysis else term


def terms(text: str, language: str | None, limit: int = MAX_DOCUMENT_TERMS) -> list[str]:
    """The index terms of one document field, in order."""
    analysis = document_language(language)
    if not text:
        return []
    out: list[str] = []
    for word in _TOKEN.findall(text):  # the hot path of indexing: no spans needed
        out.extend(_fold(word))
    del out[limit:]
    if analysis is None:
        return out
    stem_word = stemmer(analysis)
    return [stem_word(t) for t in out]


def analyses(language: str | None = None) -> tuple[str | None, ...]:
    """The analyses a query must try: only `language`'s when given, else every one."""
    if language:
        return (document_language(language),)
    return (None, *STEMMED_LANGUAGES)


def variants(term: str, language: str | None = None) -> tuple[str, ...]:
    """The distinct index terms a folded query word can appear as."""
    out: list[str] = []
    for analysis in analyses(language):
        candidate = stem(term, analysis)
        if candidate not in out:
            out.append(candidate)
    return tuple(out)


def phrase_variants(
    phrase: tuple[str, ...], language: str | None = None
) -> tuple[tuple[str, ...], ...]:
    """The distinct term sequences a phrase can appear as: one per analysis, never mixed."""
    out: list[tuple[str, ...]] = []
    for analysis in analyses(language):
        candidate = tuple(stem(t, analysis) for t in phrase)
        if candidate not in out:
            out.append(candidate)
    return tuple(out)
