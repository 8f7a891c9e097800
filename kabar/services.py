"""The long-lived resources one Kabar process shares, opened and closed in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from kabar.config import Settings
from kabar.db import Database
from kabar.db.migrate import upgrade


@dataclass(slots=True)
class Services:
    """What handlers and jobs need: settings and the database (later: fetcher, pools)."""

    settings: Settings
    db: Database


@asynccontextmanager
async def open_services(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Services]:
    """Open the database (applying pending migrations) and close it on exit."""
    db = Database(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        yield Services(settings=settings, db=db)
    finally:
        await db.dispose()
