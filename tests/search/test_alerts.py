"""The alert matcher decides exactly as the engines do, without a database."""

from __future__ import annotations

from sqlalchemy import select

import kabar.search  # noqa: F401  (installs the index hook)
from kabar.db import Database
from kabar.db.models import Alert, Article, Chat
from kabar.search import matches, matching_alerts, search
from tests.search.corpus import add_article, add_feed

ARTICLES = [
    ("Banjir rob melanda Jakarta Utara", "Air laut naik.", "Warga mengungsi.", "id"),
    ("Harga beras naik", "Pasar induk ramai.", None, "id"),
    ("Pemerintah memerintahkan evakuasi", "Gunung meletus.", "Status awas.", "id"),
    ("Elections in the region", "Voters were running late.", None, "en"),
    ("Covid-19 cases fall", "Hospitals report fewer patients.", None, "en"),
    ("Presiden meresmikan bendungan", "Bendungan baru di Jawa.", None, None),
]
QUERIES = [
    "banjir",
    "BANJIR -rob",
    '"jakarta utara"',
    '"utara jakarta"',
    "perintah",
    "election",
    "run* late",
    "covid-19",
    "beras OR bendungan",
    "pres*",
    "naik -beras",
    '-"harga beras" naik',
    "zzz",
    "-banjir",
]


def test_pure_matcher() -> None:
    article = {"title": "Banjir Jakarta", "summary": "Harga beras naik", "text": "Pasar sepi"}
    assert matches("banjir", article, "id")
    assert matches('"harga beras"', article, "id")
    assert not matches('"beras harga"', article, "id")
    assert not matches("banjir -pasar", article, "id")
    assert matches("gempa OR pasar", article, "id")
    assert matches("jak*", article, "id")
    assert not matches("", article, "id")
    assert not matches("-gempa", article, "id")
    assert matches("ELECTION", {"title": "Elections held", "language": "en"})


async def test_matcher_agrees_with_the_engine(db: Database) -> None:
    feed = await add_feed(db)
    for title, text, summary, language in ARTICLES:
        await add_article(db, feed, title, text, summary, language=language)
    for query in QUERIES:
        found = {h.title for h in (await search(db, query, limit=50)).items}
        expected = {
            title
            for title, text, summary, language in ARTICLES
            if matches(query, {"title": title, "summary": summary, "text": text}, language)
        }
        assert found == expected, query
    assert (
        len(
            {
                q
                for q in QUERIES
                if any(
                    matches(q, {"title": t, "summary": s, "text": x}, lang)
                    for t, x, s, lang in ARTICLES
                )
            }
        )
        >= 10
    )  # most queries match something, so agreement is not vacuous


async def test_matching_alerts_finds_saved_queries(db: Database) -> None:
    feed = await add_feed(db)
    async with db.transaction() as session:
        chat = Chat(telegram_id=1)
        session.add(chat)
        await session.flush()
        for query in ("banjir -hoaks", '"jakarta utara"', "gempa", "banjir hoaks"):
            session.add(Alert(chat_id=chat.id, query=query))
    aid = await add_article(db, feed, "Banjir di Jakarta Utara", "Air surut sore hari.")
    async with db.session() as session:
        article = (await session.scalars(select(Article).where(Article.id == aid))).one()
        found = await matching_alerts(session, article)
    assert [a.query for a in found] == ["banjir -hoaks", '"jakarta utara"']
