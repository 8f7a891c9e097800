"""The digest tick: once a minute, queue the digests whose slot has come."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from jobs.queue import SINGLE, KabarApp, job_queue, services
from kabar import digest
from kabar.db import utcnow
from kabar.errors import KabarError
from kabar.services import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 60
BUDGET_SECONDS = 50.0  # leave the tick's last seconds free; what is left waits a minute


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue every due digest; a failure is logged and the next tick tries again."""
    svc = services(context)
    if svc is None:
        return
    try:
        await digest.run_due(svc.db, svc.settings, budget=BUDGET_SECONDS)
    except KabarError as exc:
        log.warning("digest tick failed: %s", exc)


def schedule(app: KabarApp, svc: Services) -> None:
    """Tick a second after every minute starts (slots are whole minutes)."""
    jq = job_queue(app)
    now = utcnow()
    first = 61 - now.second - now.microsecond / 1e6
    jq.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=first,
        data=svc,
        name="digest-tick",
        job_kwargs={**SINGLE, "misfire_grace_time": 30},
    )
