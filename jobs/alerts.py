"""The alert tick: every few seconds, push new articles that match saved keyword alerts."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from kabar.alert_dispatch import dispatch_new
from kabar.errors import KabarError
from kabar.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 10  # "at once": an article stored now is queued within seconds


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue alerts for the articles stored since the last tick."""
    svc = context.job.data if context.job else None
    if not isinstance(svc, Services):
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


def schedule(app: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
    """Add the repeating alert tick (one at a time)."""
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    jq.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=2,
        data=svc,
        name="alerts",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
