"""The ingest use case: due feeds -> fetch -> parse -> dedup -> store -> full text -> summaries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select

from kabar.config import Settings
from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.db.types import utcnow
from kabar.errors import KabarError
from kabar.feeds.fetch import Fetcher
from kabar.feeds.model import FeedItem, ParsedFeed
from kabar.feeds.prepare import LanguageRule, complete_item, prepare_feed
from kabar.feedstore import Checked, FeedOutcome, FeedRef, FeedStore
from kabar.pool import Job, Result, summarize_batch
from kabar.search.sync import PRECOMPUTED, write_documents

__all__ = ["FeedOutcome", "FeedRef", "IngestReport", "Ingestor"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_FEEDS_PER_PASS = 5000  # the rest are still due at the next tick
WRITE_BATCH = 50  # feeds per write transaction, at most
WRITE_ITEMS = 500  # items per write transaction, about: the ORM flush runs on the event loop
BATCH_LINGER = 0.25  # seconds the writer waits for a batch to fill
SUMMARY_BATCH = 16
SUMMARY_BACKLOG = 2000  # per pass; older unsummarized articles wait for the next passes


@dataclass(slots=True)
class IngestReport:
    """The totals of one pass."""

    feeds: int = 0
    new: int = 0
    duplicates: int = 0
    not_modified: int = 0
    errors: int = 0
    disabled: int = 0
    summarized: int = 0
    seconds: float = 0.0
    outcomes: list[FeedOutcome] = field(default_factory=list, repr=False)

    def add(self, outcome: FeedOutcome) -> None:
        """Count one feed's outcome."""
        self.feeds += 1
        self.new += outcome.new
        self.duplicates += outcome.duplicates
        self.not_modified += outcome.status == "not_modified"
        self.errors += outcome.status in ("error", "disabled")
        self.disabled += outcome.status == "disabled"
        self.outcomes.append(outcome)

    def line(self) -> str:
        """The one-line summary `kabar fetch` ends with."""
        return (
            f"checked {self.feeds} feeds in {self.seconds:.1f} s: {self.new} new articles, "
            f"{self.duplicates} duplicates, {self.not_modified} not modified, "
            f"{self.errors} errors ({self.disabled} disabled), {self.summarized} summarized"
        )


class Ingestor:
    """Runs ingest passes; one at a time (a pass that finds one running returns None).

    Fetch workers (as many as the global fetch limit) fetch, parse in the process pool and
    complete teasers; one writer stores what they hand over, several feeds per transaction.
    The hand-over queue is bounded, so few fetched bodies wait in memory.
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        fetcher: Fetcher,
        pool: Executor,
        *,
        renew_pool: Callable[[Executor], Executor] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.fetcher = fetcher
        self.pool = pool
        self._renew_pool = renew_pool
        self.store = FeedStore(settings, db, rng or random.Random())
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """Whether a pass is running."""
        return self._lock.locked()

    async def run(
        self,
        *,
        all_feeds: bool = False,
        on_start: Callable[[int], None] | None = None,
        on_feed: Callable[[FeedOutcome], None] | None = None,
        summaries: bool = True,
    ) -> IngestReport | None:
        """One pass over the due feeds (every active feed with `all_feeds`), then summaries.

        New articles enter the search index with their summary, analyzed in the worker pool;
        a pass without summaries leaves that to a later pass or to `kabar.search.reindex`.
        """
        if self._lock.locked():
            return None
        async with self._lock:
            started = time.perf_counter()
            report = IngestReport()
            feeds = await self.due_feeds(all_feeds=all_feeds)
            if on_start:
                on_start(len(feeds))
            await self.store.refresh_stories()
            for outcome in await self.check_feeds(feeds, on_feed):
                report.add(outcome)
            if summaries:
                report.summarized = await self.summarize_pending()
            report.seconds = time.perf_counter() - started
            return report

    async def due_feeds(self, *, all_feeds: bool = False) -> list[FeedRef]:
        """Active feeds whose next check has come (or all active feeds), most overdue first."""
        stmt = select(Feed).where(Feed.paused.is_(False), Feed.disabled.is_(False))
        if not all_feeds:
            stmt = stmt.where(Feed.next_check_at <= utcnow())
        stmt = stmt.order_by(Feed.next_check_at, Feed.id).limit(MAX_FEEDS_PER_PASS)
        async with self.db.session() as session:
            return [FeedRef.of(f) for f in await session.scalars(stmt)]

    async def check_feeds(
        self, feeds: Sequence[FeedRef], on_feed: Callable[[FeedOutcome], None] | None = None
    ) -> list[FeedOutcome]:
        """Check `feeds`: bounded fetch workers hand over to one batching writer."""
        todo: asyncio.Queue[FeedRef] = asyncio.Queue()
        for ref in feeds:
            todo.put_nowait(ref)
        ready: asyncio.Queue[Checked | None] = asyncio.Queue(self.settings.fetch_concurrency * 2)
        outcomes: list[FeedOutcome] = []

        async def fetch_worker() -> None:
            while not todo.empty():
                await ready.put(await self.check(todo.get_nowait()))

        writer = asyncio.create_task(self._write_all(ready, outcomes, on_feed))
        try:
            workers = min(len(feeds), self.settings.fetch_concurrency)
            await asyncio.gather(*(fetch_worker() for _ in range(workers)))
            await ready.put(None)
            await writer
        finally:
            writer.cancel()
        return outcomes

    async def _write_all(
        self,
        ready: asyncio.Queue[Checked | None],
        outcomes: list[FeedOutcome],
        on_feed: Callable[[FeedOutcome], None] | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        done = False
        while not done:
            first = await ready.get()
            batch = [first] if first is not None else []
            done = first is None
            # Linger briefly for more: each transaction and statement has a fixed cost, and
            # a pass is throughput work where a fraction of a second of latency costs nothing.
            until = loop.time() + BATCH_LINGER
            while not done and len(batch) < WRITE_BATCH and _items(batch) < WRITE_ITEMS:
                try:
                    nxt = await asyncio.wait_for(ready.get(), max(until - loop.time(), 0))
                except TimeoutError:
                    break
                done = nxt is None
                if nxt is not None:
                    batch.append(nxt)
            for outcome in await self._write(batch):
                outcomes.append(outcome)
                if on_feed:
                    on_feed(outcome)

    async def _write(self, batch: list[Checked]) -> list[FeedOutcome]:
        if not batch:
            return []
        try:
            return await self.store.write(batch)
        except Exception as exc:  # the writer must live on, or the fetch workers would wait forever
            log.exception("storing a batch of %d feeds failed", len(batch))
            reason = f"internal error: {type(exc).__name__}"
            return [FeedOutcome(c.ref.id, c.ref.url, "error", error=reason) for c in batch]

    async def check(self, ref: FeedRef) -> Checked:
        """Fetch and parse one feed; a failure is returned for recording, never raised."""
        try:
            result = await self.fetcher.fetch_feed(
                ref.url, etag=ref.etag, last_modified=ref.last_modified
            )
            if result.not_modified:
                return Checked(ref, result)
            parsed = await self._cpu(
                prepare_feed, result.content, result.url, result.headers, result.fetched_at,
                ref.language,
            )  # fmt: skip
            if self.settings.fetch_full_text:
                await self._complete_teasers(ref, parsed, result.fetched_at)
            return Checked(ref, result, parsed)
        except Exception as exc:  # recorded on the feed; a bug must cost one feed, not the pass
            if not isinstance(exc, KabarError | BrokenProcessPool):
                log.exception("unexpected error while checking feed %s", ref.id)
            return Checked(ref, error=exc)

    async def _cpu(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        pool = self.pool
        try:
            return await loop.run_in_executor(pool, partial(fn, *args))
        except BrokenProcessPool:
            # A worker died (killed, out of memory): a broken pool refuses all further work,
            # so it is replaced once and this task's feed is retried at its next check.
            if self._renew_pool is not None and pool is self.pool:
                log.error("a pool worker died; starting a new pool")
                self.pool = self._renew_pool(pool)
            raise

    async def _complete_teasers(
        self, ref: FeedRef, parsed: ParsedFeed, fetched_at: datetime
    ) -> None:
        teasers = [i for i in parsed.items if i.teaser and i.url]
        if not teasers:
            return
        known = await self.store.known_guids(ref.id, [i.guid for i in teasers])
        todo = [i for i in teasers if i.guid not in known]
        rule = LanguageRule(ref.language, parsed.language, parsed.language_suspect)
        results = await asyncio.gather(
            *(self._complete(item, rule, fetched_at) for item in todo), return_exceptions=True
        )
        completed: dict[int, FeedItem] = {}
        failures: list[BaseException] = []
        for old, new in zip(todo, results, strict=True):
            if isinstance(new, FeedItem):
                completed[id(old)] = new
            else:
                failures.append(new)
        parsed.items = [completed.get(id(item), item) for item in parsed.items]
        if failures:
            parsed.warnings.append(
                f"full text unavailable for {len(failures)} of {len(todo)} items "
                f"(last: {str(failures[-1])[:150]})"
            )

    async def _complete(self, item: FeedItem, rule: LanguageRule, fetched_at: datetime) -> FeedItem:
        assert item.url is not None
        page = await self.fetcher.fetch_page(item.url)
        return await self._cpu(complete_item, item, page.content, page.url, rule, fetched_at)

    async def summarize_pending(self, limit: int = SUMMARY_BACKLOG) -> int:
        """Summarize articles that have no summary yet, newest first, in the process pool."""
        stmt = (
            select(Article.id, Article.title, Article.text, Article.language, Article.published_at)
            .where(Article.summary.is_(None))
            .order_by(Article.id.desc())
            .limit(limit)
        )
        async with self.db.session() as session:
            rows = await session.execute(stmt)
            jobs: list[Job] = [(r.id, r.title, r.text, r.language, r.published_at) for r in rows]
        batches = [jobs[i : i + SUMMARY_BATCH] for i in range(0, len(jobs), SUMMARY_BATCH)]
        sentences = self.settings.summary_sentences
        done = 0
        pending = [self._cpu(summarize_batch, batch, sentences) for batch in batches]
        for finished in asyncio.as_completed(pending):
            try:
                results = await finished
            except Exception:
                log.exception("summarizing a batch failed; it is retried at the next pass")
                continue
            done += await self._save_summaries(results)
        return done

    async def _save_summaries(self, results: list[Result]) -> int:
        by_id = {article_id: (summary, language) for article_id, summary, language, _ in results}
        async with self.db.transaction() as session:
            # The documents were analyzed in the pool; the index hook must not redo it here.
            session.info[PRECOMPUTED] = set(by_id)
            articles = await session.scalars(select(Article).where(Article.id.in_(list(by_id))))
            for article in articles:
                summary, language = by_id[article.id]
                article.summary = summary
                if article.language is None and language:
                    article.language = language
            await session.flush()
            connection = await session.connection()
            await connection.run_sync(write_documents, [doc for *_, doc in results])
        return len(by_id)


def _items(batch: list[Checked]) -> int:
    return sum(len(c.parsed.items) for c in batch if c.parsed is not None)
