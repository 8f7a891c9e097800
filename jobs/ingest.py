"""The ingest tick: every minute, check the feeds the database says are due."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from jobs.queue import SINGLE, KabarApp, job_queue, services
from kabar.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 60  # how often to ask what is due; each feed's own rhythm lives in the database


def schedule_ingest(app: KabarApp, svc: Services) -> None:
    """Add the repeating ingest tick; a tick that finds the previous one running is skipped."""
    jq = job_queue(app)
    jq.run_repeating(
        ingest_tick,
        interval=TICK_SECONDS,
        first=10,
        name="ingest",
        data=svc,
        job_kwargs=SINGLE,
    )


async def ingest_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One pass over the due feeds, unless a pass is still running."""
    svc = services(context)
    if svc is None:
        return
    report = await svc.ingestor().run()
    if report is None:
        log.info("ingest: the previous pass is still running; skipped")
    elif report.feeds:
        log.info("ingest: %s", report.line())
