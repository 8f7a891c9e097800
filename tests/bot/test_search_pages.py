"""A chat's search pages: stored cursors page forward and back without gaps or repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kabar import search_pages
from kabar.db import Database, utcnow
from kabar.db.models import QueryPage
from kabar.errors import NotFoundError
from tests.bot.factories import add_article, add_feed


async def _corpus(db: Database, n: int) -> None:
    feed = await add_feed(db, "Kompas")
    for i in range(n):
        await add_article(
            db, feed, f"Banjir melanda kampung {i}", published=utcnow() - timedelta(minutes=i)
        )
    await add_article(db, feed, "Harga beras naik")


async def test_pages_forward_and_back(db: Database) -> None:
    await _corpus(db, 12)
    first = await search_pages.first_page(db, "banjir")
    assert first.ref and first.has_next and len(first.hits) == search_pages.PAGE_SIZE
    await search_pages.remember(db, 42, first)
    second = await search_pages.page_of(db, 42, first.ref, 1)
    await search_pages.remember(db, 42, second)
    third = await search_pages.page_of(db, 42, first.ref, 2)
    await search_pages.remember(db, 42, third)
    assert not third.has_next
    titles = [h.title for p in (first, second, third) for h in p.hits]
    assert len(titles) == len(set(titles)) == 12
    again = await search_pages.page_of(db, 42, first.ref, 1)  # back
    assert [h.article_id for h in again.hits] == [h.article_id for h in second.hits]
    back = await search_pages.page_of(db, 42, first.ref, 0)
    assert [h.article_id for h in back.hits] == [h.article_id for h in first.hits]


async def test_unknown_pages_and_other_chats_are_refused(db: Database) -> None:
    await _corpus(db, 7)
    first = await search_pages.first_page(db, "banjir")
    await search_pages.remember(db, 42, first)
    with pytest.raises(NotFoundError):
        await search_pages.page_of(db, 43, first.ref, 1)  # another chat's search
    with pytest.raises(NotFoundError):
        await search_pages.page_of(db, 42, first.ref, 5)  # a page never reached
    with pytest.raises(NotFoundError):
        await search_pages.page_of(db, 42, 999_999, 0)


async def test_nothing_found_stores_nothing(db: Database) -> None:
    await _corpus(db, 2)
    page = await search_pages.first_page(db, "gempa")
    assert (page.ref, page.hits, page.has_next) == (0, [], False)
    await search_pages.remember(db, 42, page)  # nothing to store
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(QueryPage)) == 0
