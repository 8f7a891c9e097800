"""SQL shared by both engines: the filter clauses, and exact microsecond epoch conversions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Integer, String, bindparam

from kabar.db.types import UTCDateTime
from kabar.search.model import Filters

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Fragment:
    """Extra WHERE conditions with their bound parameters."""

    where: list[str] = field(default_factory=list)
    params: list[BindParameter[Any]] = field(default_factory=list)

    def add(self, condition: str, *params: BindParameter[Any]) -> None:
        """Append one condition (ANDed) and its parameters."""
        self.where.append(condition)
        self.params.extend(params)

    def sql(self) -> str:
        """The conditions as ` AND ...` text to append to a WHERE clause."""
        return "".join(f" AND {w}" for w in self.where)


def filter_fragment(filters: Filters, dialect: str, published: str = "a.published_at") -> Fragment:
    """The WHERE conditions for `filters` over `articles a`.

    Source, topic and language only ever filter rows found another way (the full-text index,
    or a walk by date): on SQLite a unary + keeps the planner from driving the query by them,
    which for a common word would mean probing the index for every article of a topic.
    """
    out = Fragment()
    plus = "+" if dialect == "sqlite" else ""
    if filters.since is not None:
        since = bindparam("since", filters.since, UTCDateTime())
        out.add(f"{published} >= :since", since)
    if filters.until is not None:
        until = bindparam("until", filters.until, UTCDateTime())
        out.add(f"{published} < :until", until)
    if filters.sources:
        out.add(
            f"{plus}a.feed_id IN :sources",
            bindparam("sources", list(filters.sources), Integer(), expanding=True),
        )
    if filters.language:
        language = bindparam("language", filters.language, String())
        out.add(f"{plus}a.language = :language", language)
    if filters.topic:
        topic = bindparam("topic", filters.topic, String())
        in_topic = "a.feed_id IN (SELECT fd.id FROM feeds fd WHERE fd.topic = :topic)"
        out.add(plus + in_topic, topic)
    return out


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, exactly."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The aware UTC datetime `value` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=value)
