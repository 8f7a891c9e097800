"""Housekeeping ticks: prune old articles and outbox rows, and re-index what the index lacks."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from kabar.db import utcnow
from kabar.errors import KabarError
from kabar.retention import prune
from kabar.search import reindex
from kabar.services import Services

log = logging.getLogger(__name__)

PRUNE_SECONDS = 6 * 3600
REINDEX_SECONDS = 3600


def schedule_maintenance(app: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
    """Add the pruning and re-indexing ticks."""
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    single = {"max_instances": 1, "coalesce": True}
    jq.run_repeating(
        prune_tick, interval=PRUNE_SECONDS, first=300, name="prune", data=svc, job_kwargs=single
    )
    jq.run_repeating(
        reindex_tick,
        interval=REINDEX_SECONDS,
        first=600,
        name="reindex",
        data=svc,
        job_kwargs=single,
    )


async def prune_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete articles past KABAR_RETENTION_DAYS and old finished deliveries."""
    svc = context.job.data if context.job else None
    if isinstance(svc, Services):
        try:
            await prune(svc.db, retention_days=svc.settings.retention_days, now=utcnow())
        except KabarError:
            log.exception("pruning failed; the next tick tries again")


async def reindex_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Index articles written outside the ORM (a Core update drops their index row)."""
    svc = context.job.data if context.job else None
    if isinstance(svc, Services):
        try:
            added = await reindex(svc.db)
        except KabarError:
            log.exception("re-indexing failed; the next tick tries again")
            return
        if added:
            log.info("re-indexed %d articles", added)
