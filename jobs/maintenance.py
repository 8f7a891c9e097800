"""Housekeeping ticks: prune old articles and outbox rows, and re-index what the index lacks."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from jobs.queue import SINGLE, KabarApp, job_queue, services
from kabar.db import utcnow
from kabar.errors import KabarError
from kabar.retention import prune
from kabar.search import reindex
from kabar.services import Services

log = logging.getLogger(__name__)

PRUNE_SECONDS = 6 * 3600
REINDEX_SECONDS = 3600


def schedule_maintenance(app: KabarApp, svc: Services) -> None:
    """Add the pruning and re-indexing ticks."""
    jq = job_queue(app)
    jq.run_repeating(
        prune_tick, interval=PRUNE_SECONDS, first=300, name="prune", data=svc, job_kwargs=SINGLE
    )
    jq.run_repeating(
        reindex_tick,
        interval=REINDEX_SECONDS,
        first=600,
        name="reindex",
        data=svc,
        job_kwargs=SINGLE,
    )


async def prune_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete articles past KABAR_RETENTION_DAYS and old finished deliveries."""
    svc = services(context)
    if svc is not None:
        try:
            await prune(svc.db, retention_days=svc.settings.retention_days, now=utcnow())
        except KabarError:
            log.exception("pruning failed; the next tick tries again")


async def reindex_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Index articles written outside the ORM (a Core update drops their index row)."""
    svc = services(context)
    if svc is not None:
        try:
            added = await reindex(svc.db)
        except KabarError:
            log.exception("re-indexing failed; the next tick tries again")
            return
        if added:
            log.info("re-indexed %d articles", added)
