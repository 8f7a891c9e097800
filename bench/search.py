"""Search at scale: FTS5 and tsvector+GIN against a plain LIKE scan, on one generated archive.

    python -m bench search [--articles N] [--queries N] [--engines sqlite,postgresql] [--keep]

Articles recombine real sentences: Indonesian from the IndoSum dev set (KABAR_INDOSUM_DIR,
default ../shared/data/indosum-dev from the repository root) and English from the Python
reference shipped with CPython (pydoc_data), one article in five English. The SQLite archive is
built once into bench/out/ and reused; the PostgreSQL one (database kabar_bench_search) is loaded
from it on each run and dropped at the end unless --keep. Latencies are of the whole use case
(kabar.search.search, limit 10, relevance, with hits and snippets), warm cache, one at a time; the
baselines, in the same run, are `LIKE '%word%'` over title, summary and body: every match (what
ranking or counting needs), and the newest 10 only (a scan that stops early).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.orm import Session

from kabar.db import Database
from kabar.db.migrate import upgrade
from kabar.db.models import Article, Feed
from kabar.search import Filters, Order, search
from kabar.search.analyze import words
from kabar.search.engine import engine_for
from kabar.search.model import Document
from kabar.search.postgres import tsvector_literal
from kabar.search.query import parse
from kabar.search.service import WINDOW
from kabar.search.sqlite import ID_MASK, SQLiteEngine
from kabar.search.sync import _after_flush, install

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("KABAR_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "kabar_bench_search"
FEEDS = 60
TOPICS = ["nasional", "daerah", "ekonomi", "olahraga", "teknologi", "dunia", "hiburan", "hukum"]
DAYS = 365
BATCH = 5000
KINDS = ("rare", "common", "two-word", "phrase", "prefix")
INSERT_SAMPLE = 2000
START = datetime(2026, 1, 1, tzinfo=UTC)


# -- corpus -----------------------------------------------------------------------------------


def _indosum() -> Path:
    return Path(os.environ.get("KABAR_INDOSUM_DIR", ROOT.parent / "shared/data/indosum-dev"))


def _indonesian() -> list[str]:
    folder = _indosum()
    out = []
    with (folder / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            for paragraph in json.loads(line)["sentences"]:
                out += [s for s in paragraph if 4 <= len(s.split()) <= 60]
    return out


def _english() -> list[str]:
    from pydoc_data.topics import topics

    out = []
    for body in topics.values():
        for para in re.split(r"\n\s*\n", body):
            if para.startswith(("   ", "\t")) or ">>>" in para:
                continue  # code, not prose
            for s in re.split(r"(?<=[.!?])\s+", " ".join(para.split())):
                letters = sum(c.isalpha() or c == " " for c in s)
                if 5 <= len(s.split()) <= 50 and letters > 0.9 * len(s):
                    out.append(s)
    return out


@dataclass
class Pools:
    """Sentences to recombine, per language."""

    id: list[str]
    en: list[str]


def _article(rng: random.Random, pools: Pools, n: int, total: int) -> dict[str, object]:
    language = "en" if rng.random() < 0.2 else "id"
    pool = pools.en if language == "en" else pools.id
    head = rng.choice(pool).split()
    # Stored roughly in publication order, as a fetcher does, with a few late arrivals.
    day = DAYS * n / total + (rng.random() * 3 if rng.random() < 0.9 else -rng.random() * 30)
    published = START + timedelta(days=day, seconds=rng.randrange(86_400))
    return {
        "feed_id": 1 + n % FEEDS,
        "guid": f"g{n}",
        "url": f"https://bench.test/{n}",
        "title": " ".join(head[: rng.randint(6, 12)]).rstrip(".,"),
        "summary": " ".join(rng.choice(pool) for _ in range(2)),
        "text": " ".join(rng.choice(pool) for _ in range(6)),
        "language": language,
        "published_at": published,
        "fetched_at": published,
    }


def _articles(total: int, pools: Pools, start: int = 0) -> Iterator[list[dict[str, object]]]:
    rng = random.Random(20261129 + start)
    for lo in range(start, start + total, BATCH):
        yield [
            _article(rng, pools, n, start + total)
            for n in range(lo, min(lo + BATCH, start + total))
        ]


def _sqlite_path(total: int) -> Path:
    return OUT / f"search-{total}.db"


def build_sqlite(total: int, pools: Pools) -> tuple[Path, float | None]:
    """The cached archive, built (articles and index together) when missing; build rate."""
    path = _sqlite_path(total)
    meta = path.with_suffix(".json")
    if path.exists():
        return path, json.loads(meta.read_text())["build_rate"] if meta.exists() else None
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{partial}"))
    engine = create_engine(f"sqlite:///{partial}")
    fts = SQLiteEngine()
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Feed), _feeds())
    done = 0
    for batch in _articles(total, pools):
        with engine.begin() as conn:
            conn.execute(insert(Article), batch)
            first = conn.execute(text("SELECT max(id) FROM articles")).scalar_one() - len(batch) + 1
            docs = [
                Document.of(
                    first + i,
                    str(a["title"]),
                    str(a["summary"]),
                    str(a["text"]),
                    str(a["language"]),
                )
                for i, a in enumerate(batch)
            ]
            fts.write(conn, docs)
        done += len(batch)
        if done % 100_000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  built {done:,} articles ({rate:,.0f}/s)", flush=True)
    rate = total / (time.perf_counter() - started)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    partial.rename(path)
    meta.write_text(json.dumps({"build_rate": rate}))
    return path, rate


def _feeds() -> list[dict[str, object]]:
    return [
        {
            "id": i,
            "url": f"https://bench.test/feed/{i}",
            "name": f"Sumber {i}",
            "topic": TOPICS[i % len(TOPICS)],
            "language": "id",
            "next_check_at": START,
            "created_at": START,
            "error_count": 0,
            "disabled": False,
            "paused": False,
        }
        for i in range(1, FEEDS + 1)
    ]


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


# -- PostgreSQL -------------------------------------------------------------------------------


async def _pg_admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_articles() -> int | None:
    """How many articles a kept benchmark database holds, or None without one."""
    import asyncpg

    try:
        conn = await asyncpg.connect(_pg_url().replace("+asyncpg", ""))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        return int(await conn.fetchval("SELECT count(*) FROM articles"))
    finally:
        await conn.close()


def _pg_url() -> str:
    return (
        PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + PG_DB
    )


async def load_postgres(sqlite_path: Path) -> float:
    """Copy the archive and its analyzed terms into a fresh database; returns seconds."""
    import asyncpg

    started = time.perf_counter()
    await _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}")
    await _migrate(_pg_url())
    conn = await asyncpg.connect(_pg_url().replace("+asyncpg", ""))
    engine = create_engine(f"sqlite:///{sqlite_path}")
    try:
        await conn.execute("DROP INDEX search_documents_tsv")
        await conn.execute("DROP INDEX search_documents_published")
        await conn.execute(
            "ALTER TABLE search_documents DROP CONSTRAINT search_documents_article_id_fkey"
        )
        feeds = _feeds()
        await conn.copy_records_to_table(
            "feeds", records=[tuple(f.values()) for f in feeds], columns=list(feeds[0])
        )
        await conn.execute("SELECT setval('feeds_id_seq', (SELECT max(id) FROM feeds))")
        with engine.connect() as lite:
            cols = [
                "id",
                "feed_id",
                "guid",
                "url",
                "title",
                "published_at",
                "fetched_at",
                "language",
                "text",
                "summary",
            ]
            result = lite.execute(text(f"SELECT {', '.join(cols)} FROM articles ORDER BY id"))
            while rows := result.fetchmany(20_000):
                records = [(*r[:5], _aware(r[5]), _aware(r[6]), *r[7:]) for r in rows]
                await conn.copy_records_to_table("articles", records=records, columns=cols)
            result = lite.execute(
                text(
                    f"SELECT s.rowid & {ID_MASK}, s.title, s.summary, s.body, a.published_at "
                    f"FROM search_fts s JOIN articles a ON a.id = (s.rowid & {ID_MASK}) "
                    "ORDER BY s.rowid"
                )
            )
            while rows := result.fetchmany(20_000):
                lines = "".join(
                    f"{r[0]}\t{r[4]}+00\t{tsvector_literal(_stored(r))}\n" for r in rows
                )
                await conn.copy_to_table(
                    "search_documents",
                    source=_bytes(lines.encode()),
                    columns=["article_id", "published_at", "tsv"],
                )
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv)")
        await conn.execute(
            "CREATE INDEX search_documents_published ON search_documents (published_at, article_id)"
        )
        await conn.execute(
            "ALTER TABLE search_documents ADD FOREIGN KEY (article_id) "
            "REFERENCES articles (id) ON DELETE CASCADE"
        )
        await conn.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
        engine.dispose()
    return time.perf_counter() - started


def _stored(row: Any) -> Document:
    """A document from the FTS5 table's stored terms (rowid, title, summary, body)."""
    return Document(row[0], tuple(row[1].split()), tuple(row[2].split()), tuple(row[3].split()))


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    """An async source for COPY."""
    yield data


def _aware(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# -- queries ----------------------------------------------------------------------------------


def pick_queries(sqlite_path: Path, total: int, per_kind: int) -> dict[str, list[str]]:
    """Queries of each kind, chosen by document frequency in a sample of the archive."""
    rng = random.Random(7)
    engine = create_engine(f"sqlite:///{sqlite_path}")
    sample_size = min(total, 20_000)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title, summary, text FROM articles WHERE id % :step = 0 LIMIT :n"),
            {"step": max(1, total // sample_size), "n": sample_size},
        ).all()
    engine.dispose()
    df: Counter[str] = Counter()
    docs = []
    for row in rows:
        found = words(" ".join(row))
        docs.append(found)
        df.update(set(found))
    n = len(rows)
    alpha = sorted(w for w in df if w.isalpha() and len(w) >= 4)  # no set order: same queries
    rare = [w for w in alpha if 1 <= df[w] <= max(1, n // 2000)]
    medium = [w for w in alpha if n // 100 <= df[w] <= n // 20]
    common = sorted(alpha, key=lambda w: -df[w])[: per_kind * 2]
    queries: dict[str, list[str]] = {
        "rare": rng.sample(rare, min(per_kind, len(rare))),
        "common": common[:per_kind],
        "two-word": [" ".join(rng.sample(medium, 2)) for _ in range(per_kind)],
        "phrase": [],
        "prefix": [w[: rng.randint(4, 5)] + "*" for w in rng.sample(medium, per_kind)],
    }
    while len(queries["phrase"]) < per_kind:
        doc = rng.choice(docs)
        if len(doc) > 10:
            at = rng.randrange(len(doc) - 3)
            queries["phrase"].append('"' + " ".join(doc[at : at + rng.randint(2, 3)]) + '"')
    return queries


def like_sql(query: str, dialect: str, *, newest_10: bool) -> tuple[str, dict[str, str]]:
    """The naive baseline: the articles whose text contains the words; all of them (what ranking
    or counting needs), or only the newest 10 (a scan that may stop early)."""
    op = "ILIKE" if dialect == "postgresql" else "LIKE"
    parts = [query.strip('"')] if query.startswith('"') else [p.rstrip("*") for p in query.split()]
    conds, params = [], {}
    for i, part in enumerate(parts):
        params[f"p{i}"] = f"%{part}%"
        conds.append(f"(title {op} :p{i} OR summary {op} :p{i} OR text {op} :p{i})")
    sql = f"SELECT id FROM articles WHERE {' AND '.join(conds)}"
    if newest_10:
        sql += " ORDER BY published_at DESC LIMIT 10"
    return sql, params


# -- measuring --------------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def time_search(db: Database, queries: list[str], order: Order) -> tuple[list[float], int]:
    """Milliseconds per query (after one warm-up pass) and the hits found in all."""
    for q in queries:
        await search(db, q, order=order)
    out, hits = [], 0
    for q in queries:
        started = time.perf_counter()
        page = await search(db, q, order=order)
        out.append((time.perf_counter() - started) * 1000)
        hits += len(page.items)
    return out, hits


async def time_index(db: Database, queries: list[str]) -> list[float]:
    """Milliseconds of the engine's relevance window alone (its matching statement and, on
    SQLite, the window's BM25 scores), no recency ranking, rows or snippets: what to hold
    against one LIKE statement."""
    engine = engine_for(db.dialect)
    out = []
    for q in queries:
        parsed = parse(q)
        async with db.session() as session:
            started = time.perf_counter()
            await engine.window(session, parsed, Filters(), None, WINDOW)
            out.append((time.perf_counter() - started) * 1000)
    return out


async def time_like(db: Database, queries: list[str], *, newest_10: bool) -> list[float]:
    """Milliseconds per LIKE scan."""
    out = []
    async with db.session() as session:
        for q in queries:
            sql, params = like_sql(q, db.dialect, newest_10=newest_10)
            started = time.perf_counter()
            (await session.execute(text(sql), params)).all()
            out.append((time.perf_counter() - started) * 1000)
    return out


async def time_inserts(db: Database, pools: Pools, first_guid: int) -> tuple[float, float]:
    """Articles per second stored through the ORM (transactions of 50) with and without the
    index hook; the rows are deleted again afterwards (which exercises the delete triggers)."""
    async with db.session() as session:
        before = await session.scalar(text("SELECT max(id) FROM articles"))
    rates = []
    for indexed in (True, False):
        if not indexed:
            event.remove(Session, "after_flush", _after_flush)
        batches = list(
            _articles(INSERT_SAMPLE, pools, start=first_guid + (0 if indexed else INSERT_SAMPLE))
        )
        rows = [r for b in batches for r in b]
        started = time.perf_counter()
        for lo in range(0, len(rows), 50):
            async with db.transaction() as session:
                session.add_all(Article(**r) for r in rows[lo : lo + 50])
        rates.append(len(rows) / (time.perf_counter() - started))
        if not indexed:
            install()
    async with db.transaction() as session:
        await session.execute(text("DELETE FROM articles WHERE id > :n"), {"n": before})
    return rates[0], rates[1]


async def sizes(db: Database) -> dict[str, float]:
    """Megabytes of the articles table and of the search index."""
    mb = 1024 * 1024
    async with db.session() as session:
        if db.is_sqlite:
            rows = dict(
                (
                    await session.execute(
                        text(
                            "SELECT CASE WHEN name = 'search_fts_content' "
                            "THEN 'index copy of terms' "
                            "WHEN name LIKE 'search_fts%' THEN 'index' "
                            "WHEN name LIKE '%articles%' THEN 'articles' ELSE 'other' END AS part, "
                            "sum(pgsize) FROM dbstat GROUP BY part"
                        )
                    )
                ).all()
            )
            return {k: v / mb for k, v in rows.items()}
        index = await session.scalar(text("SELECT pg_relation_size('search_documents_tsv')"))
        table = await session.scalar(
            text(
                "SELECT pg_total_relation_size('search_documents') "
                "- pg_relation_size('search_documents_tsv')"
            )
        )
        articles = await session.scalar(text("SELECT pg_total_relation_size('articles')"))
        return {
            "index (GIN)": index / mb,
            "index table (tsvector)": table / mb,
            "articles": articles / mb,
        }


@dataclass
class Plan:
    """What every engine is measured with."""

    queries: dict[str, list[str]]
    pools: Pools
    total: int
    like_count: int


async def run_engine(name: str, url: str, plan: Plan) -> dict[str, object]:
    """Measure one engine: sizes, latencies per kind (and LIKE), insert rates."""
    queries, like_count = plan.queries, plan.like_count
    db = Database(url)
    try:
        result: dict[str, object] = {"sizes": await sizes(db)}
        for kind in KINDS:
            ms, hits = await time_search(db, queries[kind], Order.RELEVANCE)
            newest, _ = await time_search(db, queries[kind], Order.NEWEST)
            index = await time_index(db, queries[kind])
            like = await time_like(db, queries[kind][:like_count], newest_10=False)
            like10 = await time_like(db, queries[kind][:like_count], newest_10=True)
            result[kind] = (ms, newest, index, like, like10, hits)
            print(
                f"  {name:<10} {kind:<9} relevance p50 {_pct(ms, 50):7.1f} p95 {_pct(ms, 95):7.1f}"
                f" p99 {_pct(ms, 99):7.1f} ms | newest p95 {_pct(newest, 95):7.1f} ms"
                f" | index p50 {_pct(index, 50):6.1f} ms | LIKE p50 {_pct(like, 50):8.1f} ms,"
                f" newest 10 {_pct(like10, 50):8.1f} ms",
                flush=True,
            )
        result["inserts"] = await time_inserts(db, plan.pools, plan.total + 10)
        return result
    finally:
        await db.dispose()


def report(
    total: int, results: dict[str, dict[str, object]], per_kind: int, build: dict[str, str]
) -> None:
    print(f"\nsearch over {total:,} articles; {per_kind} queries per kind, limit 10, warm cache;")
    print(
        "latency of kabar.search.search() in ms (relevance unless noted); LIKE: p50 ms of\n"
        "  `LIKE '%word%'` over title, summary and body for all matches (what ranking needs);\n"
        "  LIKE 10: the newest 10 matches only, a scan that stops early when matches are dense;\n"
        f"  index p50: the engine's relevance window alone ({WINDOW} newest matches, scored)\n"
    )
    columns = ("p50", "p95", "p99", "newest p95", "index p50", "LIKE", "LIKE/p50", "LIKE/index")
    columns += ("LIKE 10",)
    widths = (7, 7, 7, 10, 9, 8, 8, 10, 8)
    header = f"{'kind':<9} {'engine':<10} " + " ".join(
        f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        for name, res in results.items():
            ms, newest, index, like, like10, _hits = res[kind]  # type: ignore[misc]
            p50, p95 = _pct(ms, 50), _pct(ms, 95)
            lk, lk10, idx = _pct(like, 50), _pct(like10, 50), _pct(index, 50)
            print(
                f"{kind:<9} {name:<10} {p50:7.1f} {p95:7.1f} {_pct(ms, 99):7.1f} "
                f"{_pct(newest, 95):10.1f} {idx:9.1f} {lk:8.0f} {lk / p50:7.0f}x "
                f"{lk / idx:9.0f}x {lk10:8.1f}"
            )
    print()
    for name, res in results.items():
        parts = ", ".join(f"{k} {v:,.0f} MB" for k, v in res["sizes"].items())  # type: ignore[union-attr]
        with_index, without = res["inserts"]  # type: ignore[misc]
        print(f"{name}: size: {parts}")
        print(
            f"{name}: ORM inserts (transactions of 50): {with_index:,.0f}/s with the index kept, "
            f"{without:,.0f}/s without (baseline); {build.get(name, '')}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench search", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=40, help="queries per kind")
    parser.add_argument("--like", type=int, default=3, help="LIKE scans per kind (slow)")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database (and reuse a kept one)"
    )
    args = parser.parse_args(argv)
    install()
    if not (_indosum() / "dev.jsonl").exists():
        print(f"no IndoSum sample at {_indosum()}: set KABAR_INDOSUM_DIR to its folder")
        return 2
    pools = Pools(_indonesian(), _english())
    print(f"sentences: {len(pools.id):,} Indonesian, {len(pools.en):,} English", flush=True)
    path, rate = build_sqlite(args.articles, pools)
    build = {"sqlite": f"bulk build {rate:,.0f} articles/s with the index" if rate else ""}
    queries = pick_queries(path, args.articles, args.queries)
    print("example queries:", {k: v[:3] for k, v in queries.items()}, flush=True)
    plan = Plan(queries, pools, args.articles, args.like)
    results: dict[str, dict[str, object]] = {}
    engines = args.engines.split(",")
    if "sqlite" in engines:
        results["sqlite"] = asyncio.run(run_engine("sqlite", f"sqlite+aiosqlite:///{path}", plan))
    if "postgresql" in engines:
        if args.keep and asyncio.run(_pg_articles()) == args.articles:
            build["postgresql"] = "database kept from an earlier run"
        else:
            seconds = asyncio.run(load_postgres(path))
            build["postgresql"] = f"bulk load + GIN build {args.articles / seconds:,.0f} articles/s"
        try:
            results["postgresql"] = asyncio.run(run_engine("postgresql", _pg_url(), plan))
        finally:
            if not args.keep:
                asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
    report(args.articles, results, args.queries, build)
    return 0
