"""Choosing a digest's items: one story once (with "also in" sources), ranked, limited.

A story is the set of candidate articles sharing Article.story_id (an article without one is a
story of its own). Its score grows with the number of sources carrying it and decays with the
age of its newest article; muted sources never reach this module (the query leaves them out).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

HALF_LIFE_HOURS = 6.0  # a story loses half its weight every six hours
MAX_ALSO = 3  # "also in" links per item


@dataclass(frozen=True, slots=True)
class Candidate:
    """An article that may go into a digest, with what rendering and ranking need."""

    article_id: int
    feed_id: int
    source: str
    title: str
    url: str | None
    published_at: datetime
    language: str | None
    summary: str | None
    lead: str  # the start of the text, for articles without a summary
    story_id: int | None


@dataclass(frozen=True, slots=True)
class Item:
    """One story in a digest: the article shown, other sources' articles, and its weight."""

    main: Candidate
    also: tuple[Candidate, ...]
    sources: int
    score: float


def _story(c: Candidate) -> tuple[str, int]:
    return ("s", c.story_id) if c.story_id is not None else ("a", c.article_id)


def _representative(group: list[Candidate], language: str) -> Candidate:
    """The chat's language first, then one with a summary, then the first report."""
    return min(
        group,
        key=lambda c: (
            c.language not in (None, language),
            not c.summary,
            c.published_at,
            c.article_id,
        ),
    )


def score(sources: int, newest: datetime, now: datetime) -> float:
    """(1 + log2 sources) halved every HALF_LIFE_HOURS of age."""
    age_hours = max(0.0, (now - newest).total_seconds() / 3600)
    decay = float(0.5 ** (age_hours / HALF_LIFE_HOURS))
    return (1 + math.log2(max(1, sources))) * decay


def _item(group: list[Candidate], language: str, known: Mapping[int, int], now: datetime) -> Item:
    main = group[0] if len(group) == 1 else _representative(group, language)
    others: dict[int, Candidate] = {}
    if len(group) > 1:
        for c in sorted(group, key=lambda c: (c.published_at, c.article_id)):
            if c.feed_id != main.feed_id and c.feed_id not in others:
                others[c.feed_id] = c
    sources = len(others) + 1
    if main.story_id is not None:
        sources = max(sources, known.get(main.story_id, 0))
    newest = max(c.published_at for c in group)
    return Item(main, tuple(others.values())[:MAX_ALSO], sources, score(sources, newest, now))


def rank(
    candidates: Iterable[Candidate],
    *,
    now: datetime,
    language: str,
    story_sources: Mapping[int, int],
    limit: int,
) -> list[Item]:
    """The `limit` best stories, best first; deterministic for the same inputs."""
    groups: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[_story(c)].append(c)
    items = (_item(group, language, story_sources, now) for group in groups.values())
    return heapq.nsmallest(
        limit,
        items,
        key=lambda i: (-i.score, -i.main.published_at.timestamp(), i.main.article_id),
    )
