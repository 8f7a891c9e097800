"""The alert tick: every few seconds, push new articles that match saved keyword alerts."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from jobs.queue import SINGLE, KabarApp, job_queue, services
from kabar.alert_dispatch import dispatch_new
from kabar.errors import KabarError
from kabar.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 10  # "at once": an article stored now is queued within seconds


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue alerts for the articles stored since the last tick."""
    svc = services(context)
    if svc is None:
        return
    try:
        report = await dispatch_new(svc.db, svc.settings, svc.pool())
    except KabarError as exc:
        log.warning("alert tick failed: %s", exc)
        return
    if report.queued or report.capped:
        log.info(
            "alerts: %d articles, %d queued, %d over the hourly cap",
            report.articles,
            report.queued,
            report.capped,
        )


def schedule(app: KabarApp, svc: Services) -> None:
    """Add the repeating alert tick (one at a time)."""
    jq = job_queue(app)
    jq.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=2,
        data=svc,
        name="alerts",
        job_kwargs=SINGLE,
    )
