"""What every tick shares: the application's job queue, run-once-at-a-time settings, services."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes, JobQueue

from kabar.services import Services

KabarApp = Application[Any, Any, Any, Any, Any, Any]
# APScheduler refuses a second concurrent run of a tick and folds missed runs into one.
SINGLE: dict[str, Any] = {"max_instances": 1, "coalesce": True}


def job_queue(app: KabarApp) -> JobQueue[Any]:
    """The application's job queue; RuntimeError when PTB lacks its job-queue extra."""
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    return jq


def services(context: ContextTypes.DEFAULT_TYPE) -> Services | None:
    """The Services a tick was scheduled with (None outside a scheduled job)."""
    svc = context.job.data if context.job else None
    return svc if isinstance(svc, Services) else None
