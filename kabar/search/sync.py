"""Keep the search index in step with the articles table on every write path.

ORM writes (session.add/add_all, attribute changes such as a new summary) are indexed in the
same flush by a Session event, installed once when kabar.search is imported. Deletes need no
Python: on SQLite a trigger removes the FTS row, on PostgreSQL ON DELETE CASCADE does, so Core
deletes (retention) and a feed's cascade are covered. A Core UPDATE of its text or date drops
its index row through a trigger (never stale terms); `reindex` puts back what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction

from kabar.db import Database
from kabar.db.models import Article
from kabar.search.engine import engine_for
from kabar.search.model import Document
from kabar.search.sqlite import KEY_SQL

INDEXED = ("title", "summary", "text", "language", "published_at")
BATCH = 500
# session.info flags for writers that analyze elsewhere (ingestion does it in its worker pool,
# so the event loop never spends CPU on it): new articles in a DEFER_NEW session are indexed
# when their summary is saved; ids in PRECOMPUTED get documents the caller writes itself.
DEFER_NEW = "kabar.search.defer_new"
PRECOMPUTED = "kabar.search.precomputed"


def install() -> None:
    """Index articles written through any ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _changed(article: Article) -> bool:
    state = inspect(article)
    return any(state.attrs[name].history.has_changes() for name in INDEXED)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    ids: set[int] = set()
    if not session.info.get(DEFER_NEW):
        ids = {obj.id for obj in session.new if isinstance(obj, Article)}
    ids |= {obj.id for obj in session.dirty if isinstance(obj, Article) and _changed(obj)}
    ids -= {obj.id for obj in session.deleted if isinstance(obj, Article)}
    ids -= session.info.get(PRECOMPUTED, set())
    if ids:
        index_articles(session.connection(), sorted(ids))


def write_documents(connection: Connection, documents: Sequence[Document]) -> None:
    """Write documents analyzed elsewhere (e.g. in a worker process) into the index."""
    engine_for(connection.dialect.name).write(connection, documents)


def index_articles(connection: Connection, ids: Sequence[int]) -> int:
    """Analyze the articles `ids` as stored now and write their index rows; returns the count."""
    engine = engine_for(connection.dialect.name)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        rows = connection.execute(
            select(
                Article.id,
                Article.title,
                Article.summary,
                Article.text,
                Article.language,
                Article.published_at,
            ).where(Article.id.in_(chunk))
        ).all()
        engine.write(connection, documents(rows))
        done += len(rows)
    return done


def documents(rows: Iterable[Any]) -> list[Document]:
    """Documents from rows with id, title, summary, text, language and published_at."""
    return [Document.of(r.id, r.title, r.summary, r.text, r.language, r.published_at) for r in rows]


_MISSING = {
    "sqlite": "SELECT a.id FROM articles a WHERE NOT EXISTS "
    f"(SELECT 1 FROM search_fts s WHERE s.rowid = {KEY_SQL.format(t='a')})",
    "postgresql": "SELECT a.id FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM search_documents s WHERE s.article_id = a.id)",
}


def _missing_ids(connection: Connection) -> list[int]:
    sql = _MISSING[connection.dialect.name]
    return [row[0] for row in connection.execute(text(sql))]


async def reindex(db: Database, *, everything: bool = False) -> int:
    """Index articles that have no index row (all of them with `everything`); returns the count.

    For a backfill, for articles whose text a Core UPDATE changed, and after an analyzer change.
    """

    def run(connection: Connection) -> int:
        if everything:
            ids = [row[0] for row in connection.execute(select(Article.id))]
        else:
            ids = _missing_ids(connection)
        return index_articles(connection, ids)

    async with db.transaction() as session:
        conn = await session.connection()
        return await conn.run_sync(run)
