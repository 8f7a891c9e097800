"""The ingest tick: every minute, check the feeds the database says are due."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from kabar.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 60  # how often to ask what is due; each feed's own rhythm lives in the database


def schedule_ingest(app: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
    """Add the repeating ingest tick; a tick that finds the previous one running is skipped."""
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    jq.run_repeating(
        ingest_tick,
        interval=TICK_SECONDS,
        first=10,
        name="ingest",
        data=svc,
        # APScheduler refuses a second concurrent run and folds missed runs into one.
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def ingest_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One pass over the due feeds, unless a pass is still running."""
    svc = context.job.data if context.job else None
    if not isinstance(svc, Services):
        return
    report = await svc.ingestor().run()
    if report is None:
        log.info("ingest: the previous pass is still running; skipped")
    elif report.feeds:
        log.info("ingest: %s", report.line())
