"""The ingest use case: due feeds -> fetch -> parse -> dedup -> store -> full text -> summaries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.config import Settings
from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.db.types import utcnow
from kabar.errors import FeedError, FetchError, KabarError
from kabar.feeds.dedup import StoryIndex
from kabar.feeds.fetch import Fetcher, FetchResult
from kabar.feeds.model import TITLE_MAX, FeedItem, ParsedFeed
from kabar.feeds.prepare import LanguageRule, complete_item, prepare_feed
from kabar.feeds.schedule import backoff_check, next_check
from kabar.notices import queue_admin_notice
from kabar.pool import summarize_batch

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_FEEDS_PER_PASS = 5000  # the rest are still due at the next tick
STORY_WINDOW = timedelta(hours=48)  # near-duplicates further apart are separate stories
STORY_REBUILD = timedelta(hours=1)
SUMMARY_BATCH = 16
SUMMARY_BACKLOG = 2000  # per pass; older unsummarized articles wait for the next passes
IN_CHUNK = 500  # bound parameters per IN (...), well under SQLite's limit


@dataclass(frozen=True, slots=True)
class FeedRef:
    """What a pass needs to know about a feed, read once before fetching."""

    id: int
    url: str
    name: str
    etag: str | None
    last_modified: str | None
    language: str | None

    @classmethod
    def of(cls, feed: Feed) -> FeedRef:
        """Snapshot of a Feed row."""
        return cls(
            feed.id, feed.url, feed.display_name, feed.etag, feed.last_modified, feed.language
        )


@dataclass(slots=True)
class FeedOutcome:
    """How one feed's check went."""

    feed_id: int
    url: str
    status: str  # "ok", "not_modified", "error", "disabled"
    new: int = 0
    duplicates: int = 0
    error: str | None = None


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


@dataclass(slots=True)
class _Stored:
    new: int
    duplicates: int


class Ingestor:
    """Runs ingest passes; one at a time (a pass that finds one running returns None)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        fetcher: Fetcher,
        pool: Executor,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.fetcher = fetcher
        self.pool = pool
        self._rng = rng or random.Random()
        self._lock = asyncio.Lock()
        self._stories = StoryIndex()
        self._stories_built: datetime | None = None

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
        """One pass over the due feeds (every active feed with `all_feeds`), then summaries."""
        if self._lock.locked():
            return None
        async with self._lock:
            started = time.perf_counter()
            report = IngestReport()
            feeds = await self.due_feeds(all_feeds=all_feeds)
            if on_start:
                on_start(len(feeds))
            await self._refresh_stories()
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
        """Check `feeds` with a bounded set of workers, so few bodies wait in memory at once."""
        queue: asyncio.Queue[FeedRef] = asyncio.Queue()
        for ref in feeds:
            queue.put_nowait(ref)
        outcomes: list[FeedOutcome] = []

        async def worker() -> None:
            while not queue.empty():
                ref = queue.get_nowait()
                outcome = await self.check_feed(ref)
                outcomes.append(outcome)
                if on_feed:
                    on_feed(outcome)

        workers = min(len(feeds), self.settings.fetch_concurrency)
        await asyncio.gather(*(worker() for _ in range(workers)))
        return outcomes

    async def check_feed(self, ref: FeedRef) -> FeedOutcome:
        """Fetch, parse and store one feed; every failure is recorded on the feed, never raised."""
        try:
            return await self._check(ref)
        except (KabarError, BrokenProcessPool) as exc:
            return await self._failed(ref, exc)
        except Exception as exc:  # a bug must cost one feed, not the pass
            log.exception("unexpected error while checking feed %s", ref.id)
            return await self._failed(ref, exc)

    async def _check(self, ref: FeedRef) -> FeedOutcome:
        result = await self.fetcher.fetch_feed(
            ref.url, etag=ref.etag, last_modified=ref.last_modified
        )
        if result.not_modified:
            await self._save_state(ref, result, None)
            return FeedOutcome(ref.id, ref.url, "not_modified")
        parsed = await self._cpu(
            prepare_feed, result.content, result.url, result.headers, result.fetched_at,
            ref.language,
        )  # fmt: skip
        if self.settings.fetch_full_text:
            await self._complete_teasers(ref, parsed, result.fetched_at)
        stored = await self._save_state(ref, result, parsed)
        return FeedOutcome(ref.id, ref.url, "ok", stored.new, stored.duplicates)

    async def _cpu(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, partial(fn, *args))

    async def _complete_teasers(
        self, ref: FeedRef, parsed: ParsedFeed, fetched_at: datetime
    ) -> None:
        teasers = [i for i in parsed.items if i.teaser and i.url]
        if not teasers:
            return
        known = await self._known_guids(ref.id, [i.guid for i in teasers])
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

    async def _known_guids(self, feed_id: int, guids: list[str]) -> set[str | None]:
        async with self.db.session() as session:
            return await _existing(session, Article.guid, guids, Article.feed_id == feed_id)

    async def _save_state(
        self, ref: FeedRef, result: FetchResult, parsed: ParsedFeed | None
    ) -> _Stored:
        stored = _Stored(0, 0)
        try:
            async with self.db.transaction() as session:
                feed = await session.get(Feed, ref.id)
                if feed is None:  # removed while we were fetching
                    return stored
                if parsed is not None:
                    stored = await self._store_items(session, feed, parsed.items)
                    _apply_feed_info(feed, parsed)
                await self._apply_success(session, feed, result, parsed)
        except BaseException:
            self._stories_built = None  # the index may hold rows that were rolled back
            raise
        return stored

    async def _store_items(
        self, session: AsyncSession, feed: Feed, items: list[FeedItem]
    ) -> _Stored:
        known = await _existing(
            session, Article.guid, [i.guid for i in items], Article.feed_id == feed.id
        )
        fresh = [i for i in items if i.guid not in known]
        urls = await _existing(session, Article.canonical_url, [i.canonical_url for i in fresh])
        hashes = await _existing(session, Article.content_hash, [i.content_hash for i in fresh])
        keep: list[FeedItem] = []
        for item in fresh:
            if _seen(item.canonical_url, urls) or _seen(item.content_hash, hashes):
                continue
            keep.append(item)
        articles = [_article(feed.id, item) for item in keep]
        session.add_all(articles)
        await session.flush()
        for article, item in zip(articles, keep, strict=True):
            self._assign_story(article, item.simhash)
        return _Stored(len(articles), len(fresh) - len(articles))

    def _assign_story(self, article: Article, fingerprint: int | None) -> None:
        story = self._stories.find(fingerprint) if fingerprint is not None else None
        article.story_id = story if story is not None else article.id
        if fingerprint is not None:
            self._stories.add(article.id, fingerprint, article.story_id)

    async def _apply_success(
        self, session: AsyncSession, feed: Feed, result: FetchResult, parsed: ParsedFeed | None
    ) -> None:
        now = utcnow()
        headers = result.headers
        if parsed is not None:  # after a 304 the previous warning still describes the content
            feed.last_warning = parsed.warning
        if result.moved_to and result.moved_to != feed.url:
            await _move(session, feed, result.moved_to)
        if result.not_modified:  # a 304 may refresh the validators; it never drops them
            feed.etag = headers.get("etag") or feed.etag
            feed.last_modified = headers.get("last-modified") or feed.last_modified
        else:
            feed.etag = (headers.get("etag") or "")[:512] or None
            feed.last_modified = (headers.get("last-modified") or "")[:128] or None
        feed.last_checked_at = now
        feed.last_success_at = now
        feed.error_count = 0
        feed.last_error = None
        feed.next_check_at = next_check(
            now,
            base_minutes=self.settings.fetch_interval_minutes,
            ttl_minutes=feed.ttl_minutes,
            headers=headers,
            rng=self._rng,
        )

    async def _failed(self, ref: FeedRef, exc: BaseException) -> FeedOutcome:
        message = _message(exc)
        status = exc.status if isinstance(exc, FetchError) else None
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        now = utcnow()
        async with self.db.transaction() as session:
            feed = await session.get(Feed, ref.id)
            if feed is None:
                return FeedOutcome(ref.id, ref.url, "error", error=message)
            feed.error_count += 1
            feed.last_error = message
            feed.last_checked_at = now
            feed.next_check_at = backoff_check(
                now,
                errors=feed.error_count,
                base_minutes=self.settings.fetch_interval_minutes,
                retry_after=retry_after,
                rng=self._rng,
            )
            gone = status == 410
            if gone or feed.error_count >= self.settings.max_feed_errors:
                await self._disable(session, feed, gone=gone)
                return FeedOutcome(ref.id, ref.url, "disabled", error=message)
        return FeedOutcome(ref.id, ref.url, "error", error=message)

    async def _disable(self, session: AsyncSession, feed: Feed, *, gone: bool) -> None:
        feed.disabled = True
        stamp = int(utcnow().timestamp())
        await queue_admin_notice(
            session,
            self.settings,
            f"feed-disabled:{feed.id}:{stamp}",
            "notice.feed_gone" if gone else "notice.feed_disabled",
            name=feed.display_name,
            id=feed.id,
            url=feed.url,
            errors=feed.error_count,
            reason=feed.last_error or "",
        )
        log.warning("feed %s disabled: %s", feed.id, feed.last_error)

    async def _refresh_stories(self) -> None:
        """Load fingerprints stored since the last pass (by any process); rebuild hourly."""
        now = utcnow()
        if self._stories_built is None or now - self._stories_built > STORY_REBUILD:
            self._stories = StoryIndex()
            self._stories_built = now
        stmt = (
            select(Article.id, Article.simhash, Article.story_id)
            .where(
                Article.id > self._stories.last_id,
                Article.simhash.is_not(None),
                Article.fetched_at >= now - STORY_WINDOW,
            )
            .order_by(Article.id)
        )
        async with self.db.session() as session:
            for article_id, fingerprint, story_id in await session.execute(stmt):
                if fingerprint is not None:
                    self._stories.add(article_id, fingerprint, story_id or article_id)

    async def summarize_pending(self, limit: int = SUMMARY_BACKLOG) -> int:
        """Summarize articles that have no summary yet, newest first, in the process pool."""
        stmt = (
            select(Article.id, Article.title, Article.text, Article.language)
            .where(Article.summary.is_(None))
            .order_by(Article.id.desc())
            .limit(limit)
        )
        async with self.db.session() as session:
            jobs = [
                (article_id, title, text, language)
                for article_id, title, text, language in await session.execute(stmt)
            ]
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

    async def _save_summaries(self, results: list[tuple[int, str, str | None]]) -> int:
        by_id = {article_id: (summary, language) for article_id, summary, language in results}
        async with self.db.transaction() as session:
            articles = await session.scalars(select(Article).where(Article.id.in_(list(by_id))))
            for article in articles:
                summary, language = by_id[article.id]
                article.summary = summary
                if article.language is None and language:
                    article.language = language
        return len(by_id)


def _seen(key: str | None, keys: set[str | None]) -> bool:
    """Whether `key` was met before; a new key is remembered (None never matches)."""
    if key is None:
        return False
    if key in keys:
        return True
    keys.add(key)
    return False


def _article(feed_id: int, item: FeedItem) -> Article:
    return Article(
        feed_id=feed_id,
        guid=item.guid,
        url=item.url,
        canonical_url=item.canonical_url,
        title=item.title[:TITLE_MAX],
        author=item.author,
        published_at=item.published_at,
        fetched_at=utcnow(),
        language=item.language,
        text=item.text,
        image_url=item.image_url,
        content_hash=item.content_hash,
        simhash=item.simhash,
    )


def _apply_feed_info(feed: Feed, parsed: ParsedFeed) -> None:
    if parsed.title and not feed.title:
        feed.title = parsed.title
    if parsed.site_url and not feed.site_url:
        feed.site_url = parsed.site_url
    feed.ttl_minutes = parsed.ttl_minutes


async def _move(session: AsyncSession, feed: Feed, new_url: str) -> None:
    """Follow a permanent redirect, unless another feed already has that URL."""
    other = await session.scalar(select(Feed.id).where(Feed.url == new_url, Feed.id != feed.id))
    if other is None:
        log.info("feed %s moved permanently: %s -> %s", feed.id, feed.url, new_url)
        feed.url = new_url
    else:
        note = f"moved permanently to {new_url[:300]}, which is feed {other}"
        feed.last_warning = f"{feed.last_warning}; {note}" if feed.last_warning else note


async def _existing(
    session: AsyncSession, column: Any, values: Iterable[str | None], *where: Any
) -> set[str | None]:
    wanted = sorted({v for v in values if v})
    found: set[str | None] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        stmt = select(column).where(column.in_(chunk), *where)
        found.update(await session.scalars(stmt))
    return found


def _message(exc: BaseException) -> str:
    if isinstance(exc, FeedError | KabarError):
        text = str(exc)
    elif isinstance(exc, BrokenProcessPool):
        text = "internal error: the worker pool broke (out of memory?)"
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    return " ".join(text.split())[:1000] or type(exc).__name__
