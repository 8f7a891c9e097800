"""Search on both engines: ranking, query features, filters, pages and index sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update

from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.search import Filters, Order, reindex, search
from kabar.search.postgres import PostgresEngine
from kabar.sources import remove_feed
from tests.search.corpus import NOW, add_article, add_feed


async def titles(db: Database, query: str, **kwargs: object) -> list[str]:
    page = await search(db, query, limit=50, **kwargs)  # type: ignore[arg-type]
    return [hit.title for hit in page.items]


async def test_title_outranks_summary_outranks_body(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "Cuaca hari ini", "Hujan deras dan banjir di pinggir kota.")
    await add_article(db, feed, "Banjir melanda Jakarta", "Air naik setinggi lutut.")
    await add_article(db, feed, "Laporan warga", "Warga melapor.", summary="Banjir di Bekasi.")
    assert await titles(db, "banjir") == [
        "Banjir melanda Jakarta",
        "Laporan warga",
        "Cuaca hari ini",
    ]


async def test_more_occurrences_and_recency_rank_higher(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "Satu", "gempa terasa di kota lain lagi dan lagi", age_days=1)
    await add_article(db, feed, "Tiga", "gempa gempa gempa terasa di kota", age_days=1)
    await add_article(db, feed, "Lama", "gempa terasa di kota lain lagi dan lagi", age_days=300)
    await add_article(db, feed, "Baru", "gempa terasa di kota lain lagi dan lagi", age_days=0)
    assert await titles(db, "gempa") == ["Tiga", "Baru", "Satu", "Lama"]


async def test_the_rarer_word_of_two_weighs_more(db: Database) -> None:
    feed = await add_feed(db)
    for n in range(30):  # "presiden" is in every article, "gempa" in two
        await add_article(db, feed, f"Berita {n}", f"presiden meninjau program nomor {n}")
    await add_article(db, feed, "Jarang", "presiden gempa gempa gempa kemarin sore")
    await add_article(
        db, feed, "Sering", "presiden presiden presiden gempa kemarin sore"
    )  # newer: wins ties
    if db.dialect == "postgresql":  # its IDF comes from ANALYZE's statistics
        async with db.transaction() as session:
            await session.execute(text("ANALYZE search_documents"))
        PostgresEngine.shared().forget_statistics()
    assert await titles(db, "presiden gempa") == ["Jarang", "Sering"]


async def test_stemming_matches_inflected_forms_in_the_document_language(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "Pemerintah memerintahkan evakuasi", language="id")
    await add_article(db, feed, "Elections were held", language="en")
    await add_article(db, feed, "Ribuan pengungsi", language=None)
    assert await titles(db, "perintah") == ["Pemerintah memerintahkan evakuasi"]
    assert await titles(db, "election") == ["Elections were held"]
    assert await titles(db, "PENGUNGSI") == ["Ribuan pengungsi"]


async def test_phrase_exclusion_or_and_prefix(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "A", "harga beras naik di pasar induk")
    await add_article(db, feed, "B", "beras impor membuat harga turun")
    await add_article(db, feed, "C", "harga cabai naik tajam, hoaks beredar")
    await add_article(db, feed, "D", "presiden meresmikan pasar")
    assert await titles(db, '"harga beras"') == ["A"]
    assert sorted(await titles(db, "harga beras")) == ["A", "B"]
    assert sorted(await titles(db, "harga -beras")) == ["C"]
    assert sorted(await titles(db, 'harga -"harga beras"')) == ["B", "C"]
    assert sorted(await titles(db, "cabai OR impor")) == ["B", "C"]
    assert sorted(await titles(db, "presid*")) == ["D"]
    assert sorted(await titles(db, "pas* naik")) == ["A"]
    assert await titles(db, "-harga") == []


async def test_a_phrase_never_spans_two_fields(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "Naik harga", "beras langka", summary="Beras mahal")
    await add_article(db, feed, "Kabar pasar", "harga beras", summary="Sepi pembeli")
    assert await titles(db, '"harga beras"') == ["Kabar pasar"]
    assert await titles(db, '"pasar sepi"') == []  # title end + summary start


async def test_filters(db: Database) -> None:
    politik = await add_feed(db, "Politik", topic="politik")
    olahraga = await add_feed(db, "Olahraga", topic="olahraga")
    await add_article(db, politik, "Debat capres malam ini", age_days=2, language="id")
    await add_article(db, olahraga, "Debat pelatih timnas", age_days=10, language="id")
    await add_article(db, olahraga, "Debate on the national team", age_days=1, language="en")
    assert await titles(db, "debat", filters=Filters(topic="politik")) == ["Debat capres malam ini"]
    # "debate" is stemmed to "debat" in English: both olahraga articles match.
    assert sorted(await titles(db, "debat", filters=Filters(sources=(olahraga,)))) == [
        "Debat pelatih timnas",
        "Debate on the national team",
    ]
    assert await titles(
        db, "debat", filters=Filters(sources=(politik, olahraga), language="en")
    ) == ["Debate on the national team"]
    assert await titles(db, "debate", filters=Filters(language="en")) == [
        "Debate on the national team"
    ]
    recent = Filters(since=NOW - timedelta(days=5), language="id")
    assert await titles(db, "debat", filters=recent) == ["Debat capres malam ini"]
    older = Filters(until=NOW - timedelta(days=5))
    assert await titles(db, "debat", filters=older) == ["Debat pelatih timnas"]


async def _all_pages(db: Database, query: str, order: Order, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = await search(db, query, order=order, cursor=cursor, limit=limit)
        seen += [hit.article_id for hit in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen
        assert len(cursor) <= 48
    raise AssertionError("pages never ended")


async def test_pages_have_no_gaps_or_repeats_in_both_orders(db: Database) -> None:
    feed = await add_feed(db)
    ids = []
    for n in range(23):  # equal published_at for some, to exercise the id tie-break
        body = "sidang " * (1 + n % 4) + f"kasus nomor {n}"
        ids.append(await add_article(db, feed, f"Sidang {n}", body, age_days=n // 3))
    await add_article(db, feed, "Lain", "tidak terkait")
    for order in Order:
        for limit in (1, 4, 10):
            got = await _all_pages(db, "sidang", order, limit)
            assert sorted(got) == sorted(ids), (order, limit)
            assert len(set(got)) == len(got)
    newest = await _all_pages(db, "sidang", Order.NEWEST, 5)
    dates = {i: n // 3 for n, i in enumerate(ids)}
    assert [dates[i] for i in newest] == sorted(dates[i] for i in newest)


async def test_pages_survive_inserts_and_deletes_between_them(db: Database) -> None:
    feed = await add_feed(db)
    ids = [await add_article(db, feed, f"Pilkada {n}", "pilkada " * (n % 5 + 1)) for n in range(12)]
    for order in Order:
        first = await search(db, "pilkada", order=order, limit=5)
        shown = [h.article_id for h in first.items]
        await add_article(db, feed, "Pilkada baru", "pilkada pilkada pilkada pilkada pilkada")
        async with db.transaction() as session:  # retention removes one not yet shown
            gone = next(i for i in ids if i not in shown)
            await session.execute(delete(Article).where(Article.id == gone))
        ids.remove(gone)
        cursor = first.next_cursor
        while cursor:
            page = await search(db, "pilkada", order=order, cursor=cursor, limit=5)
            shown += [h.article_id for h in page.items]
            cursor = page.next_cursor
        assert len(shown) == len(set(shown)), order
        assert set(ids) <= set(shown) | {gone}, order
        assert set(shown) - {gone} <= set(ids) | set(await _ids_now(db)), order


async def _ids_now(db: Database) -> list[int]:
    async with db.session() as session:
        return list((await session.scalars(select(Article.id))).all())


async def test_index_follows_orm_updates_core_deletes_and_cascades(db: Database) -> None:
    feed = await add_feed(db)
    other = await add_feed(db, "Lain")
    kept = await add_article(db, feed, "Rapat anggaran", "dibahas hari ini")
    old = await add_article(db, feed, "Rapat lama", "anggaran tahun lalu", age_days=400)
    doomed = await add_article(db, other, "Rapat sumber lain", "anggaran daerah")
    assert len(await titles(db, "anggaran")) == 3

    async with db.transaction() as session:  # a summary written later, as the summarizer does
        article = await session.get(Article, kept)
        assert article is not None
        article.summary = "Tsunami anggaran"
        article.title = "Sidang paripurna"
    assert await titles(db, "tsunami") == ["Sidang paripurna"]
    assert sorted(await titles(db, "rapat")) == ["Rapat lama", "Rapat sumber lain"]

    async with db.transaction() as session:  # retention: a Core DELETE
        await session.execute(
            delete(Article).where(Article.published_at < NOW - timedelta(days=90))
        )
    assert sorted(await titles(db, "anggaran")) == ["Rapat sumber lain", "Sidang paripurna"]

    await remove_feed(db, other)  # explicit delete plus ON DELETE CASCADE
    assert await titles(db, "anggaran") == ["Sidang paripurna"]
    async with db.transaction() as session:
        await session.execute(delete(Feed).where(Feed.id == feed))  # cascade only
    assert await titles(db, "anggaran") == []
    assert old and doomed


async def test_core_update_drops_stale_terms_and_reindex_restores(db: Database) -> None:
    feed = await add_feed(db)
    aid = await add_article(db, feed, "Kebakaran hutan", "asap tebal")
    async with db.transaction() as session:
        await session.execute(update(Article).where(Article.id == aid).values(title="Gempa bumi"))
    assert await titles(db, "kebakaran") == []  # no stale match
    assert await reindex(db) == 1
    assert await titles(db, "gempa") == ["Gempa bumi"]
    assert await titles(db, "kebakaran") == []
    assert await reindex(db) == 0


async def test_hits_carry_what_the_bot_shows(db: Database) -> None:
    feed = await add_feed(db, "Antara")
    aid = await add_article(
        db, feed, "Banjir <rob>", "Banjir rob & angin kencang.", summary="Rob <b>surut</b> & aman."
    )
    page = await search(db, "rob")
    hit = page.items[0]
    assert (hit.article_id, hit.feed_name, hit.summary) == (
        aid,
        "Antara",
        "Rob <b>surut</b> & aman.",
    )
    assert hit.snippet == "<b>Rob</b> &lt;b&gt;surut&lt;/b&gt; &amp; aman."
    assert hit.published_at == NOW and hit.url


async def test_bad_cursors_and_empty_queries_give_empty_pages(db: Database) -> None:
    feed = await add_feed(db)
    for n in range(3):
        await add_article(db, feed, f"Pasar {n}")
    first = await search(db, "pasar", limit=1)
    assert first.next_cursor
    assert (await search(db, "lain", cursor=first.next_cursor)).items == []
    assert (await search(db, "pasar", order=Order.NEWEST, cursor=first.next_cursor)).items == []
    for junk in ("x", "!!!", "A" * 48, "bgAA", "\x00"):
        assert (await search(db, "pasar", cursor=junk)).items == []
    assert (await search(db, "-pasar")).items == []


async def _index_rows(db: Database) -> int:
    table = "search_fts" if db.is_sqlite else "search_documents"
    async with db.session() as session:
        return int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def test_dates_that_round_to_the_next_minute_stay_in_sync(db: Database) -> None:
    feed = await add_feed(db)
    edge = NOW.replace(second=59, microsecond=999_900)  # SQLite rounds this to the next minute
    aid = await add_article(db, feed, "Pemilu serentak", published_at=edge)
    other = await add_article(db, feed, "Pemilu ulang", published_at=edge - timedelta(days=1))
    assert await _index_rows(db) == 2
    async with db.transaction() as session:  # a corrected date, through the ORM
        article = await session.get(Article, other)
        assert article is not None
        article.published_at = edge + timedelta(days=1, microseconds=50)
    assert await _index_rows(db) == 2
    newest = await search(db, "pemilu", order=Order.NEWEST)
    assert [h.title for h in newest.items] == ["Pemilu ulang", "Pemilu serentak"]
    async with db.transaction() as session:
        await session.execute(delete(Article).where(Article.id.in_([aid, other])))
    assert await _index_rows(db) == 0


async def test_huge_junk_articles_are_stored_and_searchable(db: Database) -> None:
    feed = await add_feed(db)
    junk = " ".join(f"{n:x}z{'q' * 50}" for n in range(30_000))  # 30,000 distinct 55-char words
    await add_article(db, feed, "Arsip besar", junk, language=None)
    assert await titles(db, "arsip") == ["Arsip besar"]


async def test_pages_are_exact_when_postgresql_walks_the_newest_first(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kabar.search.postgres as pg

    monkeypatch.setattr(pg, "SPARSE_ROWS", -1)  # always try the walk first ...
    monkeypatch.setattr(pg, "WALK_ROWS", 7)  # ... over so few rows that it often falls short
    feed = await add_feed(db)
    ids = [
        await add_article(db, feed, f"Ujian {n}", "ujian " * (n % 3 + 1), age_days=n % 9)
        for n in range(25)
    ]
    await add_article(db, feed, "Lain", "tidak terkait", age_days=0)
    for order in Order:
        for limit in (3, 10):
            got = await _all_pages(db, "ujian", order, limit)
            assert sorted(got) == sorted(ids), (order, limit)
    newest = await _all_pages(db, "ujian", Order.NEWEST, 4)
    dates = {i: n % 9 for n, i in enumerate(ids)}
    assert [dates[i] for i in newest] == sorted(dates.values())


async def test_sqlite_idf_counts_among_the_newest_articles(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rarity is judged in recent news: words common long ago but rare lately weigh more."""
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL's IDF comes from ANALYZE over the whole table")
    monkeypatch.setattr("kabar.search.sqlite.POPULATION", 12)
    feed = await add_feed(db)
    for n in range(20):  # old news: "gempa" everywhere
        await add_article(db, feed, f"Lama {n}", f"gempa lama nomor {n}", age_days=60)
    for n in range(10):  # recent news: "presiden" everywhere, "gempa" in two
        await add_article(db, feed, f"Baru {n}", f"presiden meninjau program nomor {n}")
    await add_article(db, feed, "Jarang", "presiden gempa gempa gempa kemarin sore")
    await add_article(db, feed, "Sering", "presiden presiden presiden gempa kemarin sore")
    for _ in range(2):  # the second time from the kept population bound
        assert await titles(db, "presiden gempa") == ["Jarang", "Sering"]


@pytest.mark.parametrize("limit", [3, 4, 7, 10])
async def test_relevance_goes_on_by_date_past_the_window(
    db: Database, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr("kabar.search.service.WINDOW", 7)
    feed = await add_feed(db)
    age = {}
    for n in range(20):  # more "sidang" in older articles: relevance and date disagree
        body = "sidang " * (1 + n % 5) + f"perkara nomor {n}"
        age[await add_article(db, feed, f"Perkara {n}", body, age_days=n)] = n
    await add_article(db, feed, "Lain", "tidak terkait")
    got = await _all_pages(db, "sidang", Order.RELEVANCE, limit)
    assert sorted(got) == sorted(age)
    newest_seven = sorted(age, key=age.__getitem__)[:7]
    assert set(got[:7]) == set(newest_seven)  # ranked among themselves
    assert got[:7] != newest_seven  # by relevance, not date
    assert [age[i] for i in got[7:]] == list(range(7, 20))  # then older ones, by date
