"""The long-lived resources one Kabar process shares, opened and closed in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from kabar.config import Settings
from kabar.db import Database
from kabar.db.migrate import upgrade
from kabar.feeds.fetch import Fetcher
from kabar.ingest import Ingestor
from kabar.pool import make_pool
from kabar.sources import import_catalog_if_empty

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """What handlers and jobs need: settings, the database, the fetcher and the process pool.

    The fetcher, pool and ingestor are made on first use, so commands that never fetch pay
    nothing for them; `aclose` releases whichever were made.
    """

    settings: Settings
    db: Database
    _fetcher: Fetcher | None = field(default=None, init=False, repr=False)
    _pool: Executor | None = field(default=None, init=False, repr=False)
    _ingestor: Ingestor | None = field(default=None, init=False, repr=False)

    def fetcher(self) -> Fetcher:
        """The shared safe HTTP fetcher (one httpx client for the process)."""
        if self._fetcher is None:
            self._fetcher = Fetcher.from_settings(self.settings)
        return self._fetcher

    def pool(self) -> Executor:
        """The process pool for CPU work (parsing, extraction, summaries)."""
        if self._pool is None:
            self._pool = make_pool(self.settings.summary_workers)
        return self._pool

    def renew_pool(self, broken: Executor) -> Executor:
        """Replace a pool whose worker died (a broken pool refuses all work) with a fresh one."""
        if self._pool is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return self.pool()

    def ingestor(self) -> Ingestor:
        """The ingest use case; one per process, so passes never overlap."""
        if self._ingestor is None:
            self._ingestor = Ingestor(
                self.settings, self.db, self.fetcher(), self.pool(), renew_pool=self.renew_pool
            )
        return self._ingestor

    async def aclose(self) -> None:
        """Close the fetcher and shut the pool down (workers finish their current task)."""
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        self._ingestor = None


@asynccontextmanager
async def open_services(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Services]:
    """Open the database (applying pending migrations, importing the source catalog into an
    empty install) and close everything on exit."""
    db = Database(settings.database_url)
    svc = Services(settings=settings, db=db)
    try:
        if migrate:
            await upgrade(db)
        if settings.import_catalog:
            added = await import_catalog_if_empty(db)
            if added:
                log.info("imported %d sources from the bundled catalog", added)
        yield svc
    finally:
        await svc.aclose()
        await db.dispose()
