"""Store one ORM row in its own transaction and give back its id: the test factories' common step."""

from __future__ import annotations

from kabar.db import Database
from kabar.db.models import Article, Feed


async def store(db: Database, row: Feed | Article) -> int:
    """Add `row`, commit, and return its new id."""
    async with db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id
