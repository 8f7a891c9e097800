"""Saved-alert matching: the same parser and analyzer decide, in Python, without the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db.models import Alert, Article
from kabar.search.analyze import phrase_variants, variants
from kabar.search.model import Document
from kabar.search.query import Clause, Item, Kind, Query, parse

FIELDS = ("title", "summary", "text")


@dataclass(frozen=True, slots=True)
class AnalyzedArticle:
    """An article's index terms per field, analyzed once for many alert queries."""

    fields: tuple[tuple[str, ...], ...]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, fields: Mapping[str, str | None], language: str | None) -> AnalyzedArticle:
        """Analyze title, summary and text (missing fields count as empty)."""
        doc = Document.of(
            0, fields.get("title") or "", fields.get("summary"), fields.get("text") or "", language
        )
        parts = (doc.title, doc.summary, doc.body)
        return cls(parts, frozenset(t for part in parts for t in part))


def _has_sequence(field: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(field[i : i + n] == seq for i in range(len(field) - n + 1))


def _item_matches(item: Item, doc: AnalyzedArticle) -> bool:
    if item.kind is Kind.WORD:
        return any(v in doc.vocabulary for v in variants(item.terms[0]))
    if item.kind is Kind.PREFIX:
        starts = variants(item.terms[0])
        return any(term.startswith(starts) for term in doc.vocabulary)
    return any(
        all(t in doc.vocabulary for t in seq) and any(_has_sequence(f, seq) for f in doc.fields)
        for seq in phrase_variants(item.terms)
    )


def _clause_matches(clause: Clause, doc: AnalyzedArticle) -> bool:
    return any(_item_matches(item, doc) for item in clause.items)


def query_matches(query: Query, doc: AnalyzedArticle) -> bool:
    """Whether a parsed query matches an analyzed article, exactly as the engines decide."""
    if query.is_empty:
        return False
    return all(_clause_matches(c, doc) for c in query.positive) and not any(
        _clause_matches(c, doc) for c in query.negative
    )


@lru_cache(maxsize=4096)
def _parsed(query: str) -> Query:
    return parse(query)


def matches(
    query: str, article_fields: Mapping[str, str | None], language: str | None = None
) -> bool:
    """Whether the alert `query` matches an article given as {"title", "summary", "text"}.

    `language` is the article's language (it decides stemming, as in the index); it may also be
    given as article_fields["language"].
    """
    lang = language if language is not None else article_fields.get("language")
    return query_matches(_parsed(query), AnalyzedArticle.of(article_fields, lang))


def matching(alerts: Iterable[Alert], article: Article) -> list[Alert]:
    """The alerts among `alerts` whose query matches `article`."""
    doc = AnalyzedArticle.of(
        {"title": article.title, "summary": article.summary, "text": article.text},
        article.language,
    )
    return [a for a in alerts if query_matches(_parsed(a.query), doc)]


async def matching_alerts(session: AsyncSession, article: Article) -> Sequence[Alert]:
    """Every saved Alert whose query matches a newly stored `article`."""
    alerts = (await session.scalars(select(Alert).order_by(Alert.id))).all()
    return matching(alerts, article)
