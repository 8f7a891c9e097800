"""Search result pages for chats: the first page, then pages by number through stored cursors.

A chat's search is stored (its query and the cursor of every page seen) so its paging buttons
carry only a row id and a page number: callback_data stays tiny, paging goes back as well as
forward, and buttons keep working across restarts. The id is chosen here, before the row is
written, so a reply never waits for the database's write lock (an ingest pass may hold it):
handlers reply first and `remember` after. Rows older than KEEP go as new ones arrive.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete

from kabar.db import Database, utcnow
from kabar.db.models import QueryPage
from kabar.errors import NotFoundError, StorageError
from kabar.render import ArticleView
from kabar.search import SearchHit, search

PAGE_SIZE = 5
KEEP = timedelta(days=7)
MAX_PAGES = 200
MAX_REF = 2**31 - 1  # query_pages.id is a 32-bit integer on PostgreSQL
# A button pressed right after the reply may come before its row is written.
LOOKUP_RETRIES = (0.2, 0.4, 0.8)


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of a chat's search, and what `remember` must store for the next page."""

    query: str
    ref: int  # the stored search (0 when nothing matched: nothing to page through)
    number: int  # 0-based
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.next_cursor is not None


def hit_view(hit: SearchHit) -> ArticleView:
    """A search hit as the article view messages are made of."""
    return ArticleView(
        id=hit.article_id,
        feed_id=0,  # hits do not carry it; nothing shown from a hit needs it
        title=hit.title,
        url=hit.url,
        source=hit.feed_name,
        published_at=hit.published_at,
        summary=hit.summary or "",
    )


async def first_page(db: Database, query: str) -> ResultPage:
    """The first page of results; its `ref` is new and not yet stored (see `remember`)."""
    page = await search(db, query, limit=PAGE_SIZE)
    ref = secrets.randbelow(MAX_REF) + 1 if page.items else 0
    return ResultPage(query, ref, 0, page.items, page.next_cursor)


async def page_of(db: Database, chat_id: int, ref: int, number: int) -> ResultPage:
    """Page `number` of a stored search; NotFoundError if the search or the page is unknown."""
    row = await _row(db, ref)
    for pause in LOOKUP_RETRIES:
        if row is not None:
            break
        await asyncio.sleep(pause)
        row = await _row(db, ref)
    if row is None or row.chat_id != chat_id or not 0 <= number < len(row.cursors):
        raise NotFoundError(f"no page {number} of search {ref}")
    page = await search(db, row.query, cursor=row.cursors[number], limit=PAGE_SIZE)
    return ResultPage(row.query, ref, number, page.items, page.next_cursor)


async def _row(db: Database, ref: int) -> QueryPage | None:
    async with db.session() as session:
        return await session.get(QueryPage, ref)


async def remember(db: Database, chat_id: int, page: ResultPage) -> None:
    """Store what the page's buttons need: the search (first page), or the next cursor."""
    if not page.ref:
        return
    nxt = [page.next_cursor] if page.next_cursor and page.number + 1 < MAX_PAGES else []
    try:
        async with db.transaction() as session:
            if page.number == 0:
                await session.execute(
                    delete(QueryPage).where(QueryPage.created_at < utcnow() - KEEP)
                )
                session.add(
                    QueryPage(id=page.ref, chat_id=chat_id, query=page.query, cursors=[None, *nxt])
                )
                return
            row = await session.get(QueryPage, page.ref)
            if row is not None and len(row.cursors) == page.number + 1 and nxt:
                row.cursors = [*row.cursors, *nxt]
    except StorageError:  # an id chosen twice (1 in 2^31): its buttons will say "out of date"
        return
