"""Register Kabar's repeating ticks on the application's job queue."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from jobs import alerts as alert_jobs
from jobs import digest as digest_jobs
from jobs import outbox as outbox_jobs
from jobs.ingest import schedule_ingest
from jobs.maintenance import schedule_maintenance
from jobs.queue import KabarApp, job_queue, services
from kabar.db import utcnow
from kabar.services import Services
from kabar.state import HEARTBEAT_KEY, set_state

log = logging.getLogger(__name__)


def schedule_jobs(app: KabarApp, svc: Services) -> None:
    """Add every repeating tick; each one asks the database what is due."""
    jq = job_queue(app)
    jq.run_repeating(_heartbeat, interval=60, first=1, name="heartbeat", data=svc)
    schedule_ingest(app, svc)
    schedule_maintenance(app, svc)
    digest_jobs.schedule(app, svc)
    outbox_jobs.schedule(app, svc)
    alert_jobs.schedule(app, svc)


async def _heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record that the scheduler is alive, for `kabar health` and the Docker HEALTHCHECK."""
    svc = services(context)
    if svc is not None:
        await set_state(svc.db, HEARTBEAT_KEY, {"at": utcnow().isoformat()})
