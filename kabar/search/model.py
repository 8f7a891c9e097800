"""The shapes search hands out and takes in: filters, order, hits, pages and indexed documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kabar.search.analyze import terms


class Order(StrEnum):
    """How results are ordered."""

    RELEVANCE = "relevance"  # BM25 with a recency boost, within the most recent matches
    NEWEST = "newest"  # published_at, newest first


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on which articles match; every field is optional."""

    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    sources: tuple[int, ...] = ()  # feed ids; empty means every source
    language: str | None = None  # the article's language code; also narrows query analysis
    topic: str | None = None  # Feed.topic


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found, ready to show."""

    article_id: int
    title: str
    url: str | None
    feed_name: str
    published_at: datetime
    snippet: str  # Telegram HTML: escaped text with the matched words in <b>
    summary: str | None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits and the cursor of the next page (None on the last page)."""

    items: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A matching article id with its engine relevance (higher is better) and date."""

    article_id: int
    relevance: float
    epoch: float  # published_at in seconds since the epoch, for the recency boost
    position: int = 0  # the engine's newest-first sort key, for keyset cursors


@dataclass(frozen=True, slots=True)
class Document:
    """An article's index terms, per field."""

    article_id: int
    title: tuple[str, ...]
    summary: tuple[str, ...]
    body: tuple[str, ...]
    published_at: datetime | None = None  # PostgreSQL keeps it beside the terms, for order

    @classmethod
    def of(  # noqa: PLR0917 (the article's fields, in the order of the table)
        cls,
        article_id: int,
        title: str,
        summary: str | None,
        body: str,
        language: str | None,
        published_at: datetime | None = None,
    ) -> Document:
        """Analyze an article's fields."""
        return cls(
            article_id,
            tuple(terms(title or "", language)),
            tuple(terms(summary or "", language)),
            tuple(terms(body or "", language)),
            published_at,
        )
