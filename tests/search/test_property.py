"""Any string a user can type returns a page (maybe empty), never an error, on both engines."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import kabar.search  # noqa: F401  (installs the index hook)
from kabar.db import Database
from kabar.search import Filters, Order, search
from tests.search.corpus import add_article, add_feed

SYNTAX = st.sampled_from(
    [
        '"',
        "“",
        "*",
        "-",
        "^",
        "NEAR(",
        ")",
        "OR",
        "AND",
        "NOT",
        ":",
        "'",
        "\\",
        "\x00",
        "\x1b",
        "; DROP TABLE articles; --",
        "' OR 1=1 --",
        "{",
        "}",
        "[",
        "!",
        "&",
        "|",
        "<->",
        ":*",
        " ",
    ]
)
WORDS = st.sampled_from(["banjir", "jakarta", "harga", "beras", "pres", "Élection", "naik"])
TYPED = st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=12)), max_size=30).map("".join)


def test_any_input_is_safe(db_url: str) -> None:
    loop = asyncio.new_event_loop()
    db = Database(db_url)

    async def seed() -> None:
        feed = await add_feed(db)
        await add_article(db, feed, "Banjir Jakarta", "harga beras naik", summary="Banjir surut.")
        await add_article(db, feed, "Élections présidentielles", "president", language="en")

    loop.run_until_complete(seed())

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=st.one_of(TYPED, st.text(max_size=200)), order=st.sampled_from(list(Order)))
    @example(text="🎉" * 2500, order=Order.RELEVANCE)  # 10 KB of emoji
    @example(text='"unbalanced NEAR(banjir *', order=Order.NEWEST)
    @example(text="\x00" * 100 + "banjir\x00", order=Order.RELEVANCE)
    @example(text="banjir " * 2000, order=Order.NEWEST)
    def check(text: str, order: Order) -> None:
        async def run() -> None:
            page = await search(db, text, order=order, filters=Filters(language="id"))
            assert all(hit.title for hit in page.items)
            page = await search(db, text, order=order)
            if page.next_cursor:
                await search(db, text, order=order, cursor=page.next_cursor)

        loop.run_until_complete(run())

    try:
        check()
        found = loop.run_until_complete(search(db, 'banjir\x00 "(* ^ -\x1b'))
        assert [h.title for h in found.items] == ["Banjir Jakarta"]
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
