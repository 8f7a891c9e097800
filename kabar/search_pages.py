"""Search result pages for chats: the first page, then pages by number through stored cursors.

A chat's search is stored (query and the cursor of every page seen) so its paging buttons carry
only a row id and a page number: callback_data stays tiny, paging goes back as well as forward,
and buttons keep working across restarts. Rows older than KEEP are dropped as new ones arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete

from kabar.db import Database, utcnow
from kabar.db.models import QueryPage
from kabar.errors import NotFoundError
from kabar.render import ArticleView
from kabar.search import SearchHit, search

PAGE_SIZE = 5
KEEP = timedelta(days=7)
MAX_PAGES = 200


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of a chat's search."""

    query: str
    ref: int  # the stored search (0 when nothing matched and nothing was stored)
    number: int  # 0-based
    hits: list[SearchHit] = field(default_factory=list)
    has_next: bool = False


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


async def first_page(db: Database, chat_id: int, query: str) -> ResultPage:
    """Search, and store the search when it found something (for its paging buttons)."""
    page = await search(db, query, limit=PAGE_SIZE)
    if not page.items:
        return ResultPage(query, 0, 0)
    async with db.transaction() as session:
        await session.execute(delete(QueryPage).where(QueryPage.created_at < utcnow() - KEEP))
        row = QueryPage(chat_id=chat_id, query=query, cursors=[None, page.next_cursor])
        if page.next_cursor is None:
            row.cursors = [None]
        session.add(row)
        await session.flush()
        ref = row.id
    return ResultPage(query, ref, 0, page.items, page.next_cursor is not None)


async def page_of(db: Database, chat_id: int, ref: int, number: int) -> ResultPage:
    """Page `number` of a stored search; NotFoundError if the search or the page is unknown."""
    async with db.session() as session:
        row = await session.get(QueryPage, ref)
    if row is None or row.chat_id != chat_id or not 0 <= number < len(row.cursors):
        raise NotFoundError(f"no page {number} of search {ref}")
    page = await search(db, row.query, cursor=row.cursors[number], limit=PAGE_SIZE)
    if page.next_cursor and number + 1 == len(row.cursors) and number + 1 < MAX_PAGES:
        async with db.transaction() as session:
            stored = await session.get(QueryPage, ref)
            if stored is not None and len(stored.cursors) == number + 1:
                stored.cursors = [*stored.cursors, page.next_cursor]
    return ResultPage(row.query, ref, number, page.items, page.next_cursor is not None)
