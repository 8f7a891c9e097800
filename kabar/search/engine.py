"""The interface both search engines implement, and the choice between them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.search.cursor import NewestCursor
from kabar.search.model import Candidate, Document, Filters
from kabar.search.query import Query


class Engine(Protocol):
    """Full-text matching over the index of one database kind."""

    def write(self, connection: Connection, documents: Sequence[Document]) -> None:
        """Index (or re-index) documents; runs inside the caller's transaction."""

    async def window(
        self, session: AsyncSession, query: Query, filters: Filters, snapshot: int | None, size: int
    ) -> list[Candidate]:
        """The `size` most recently published matches with id <= snapshot, each with its
        relevance and its `newest` position (where results by date go on past the window)."""

    async def newest(
        self,
        session: AsyncSession,
        query: Query,
        filters: Filters,
        after: NewestCursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Matches by published_at then id, newest first, strictly after `after`."""


def engine_for(dialect: str) -> Engine:
    """The engine for a SQLAlchemy dialect name."""
    if dialect == "sqlite":
        from kabar.search.sqlite import SQLiteEngine

        return SQLiteEngine.shared()
    if dialect == "postgresql":
        from kabar.search.postgres import PostgresEngine

        return PostgresEngine.shared()
    raise ValueError(f"no search engine for {dialect}")
