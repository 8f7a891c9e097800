"""The outbox drain: the paced sender runs for the application's life; broadcasts are tracked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import ContextTypes

from bot.sender import Sender, build_sender
from jobs.queue import SINGLE, KabarApp, job_queue, services
from kabar import broadcast
from kabar.errors import KabarError
from kabar.services import Services

log = logging.getLogger(__name__)

BROADCAST_TICK_SECONDS = 5.0
WATCH_SECONDS = 0.5
RESTART_SECONDS = 5.0


async def drain(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the sender until the application stops (a one-off job started with the scheduler)."""
    svc = services(context)
    if svc is None:
        raise TypeError("the drain job needs the Services as its data")
    app = context.application
    await run_sender(svc, lambda: bool(app.running))


async def run_sender(
    svc: Services, alive: Callable[[], bool], *, sender: Sender | None = None, **overrides: Any
) -> None:
    """Send while `alive()` is true; a sender that fails is rebuilt after a pause."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(alive, stop))
    try:
        while not stop.is_set():
            current = sender or build_sender(svc.db, svc.settings, **overrides)
            try:
                await current.run(stop)
            except KabarError as exc:
                log.error("the sender stopped: %s", exc)
            except Exception:
                log.exception("the sender crashed; restarting it")
            sender = None
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RESTART_SECONDS)
    finally:
        watcher.cancel()


async def _watch(alive: Callable[[], bool], stop: asyncio.Event) -> None:
    # PTB has no "stopping" event to wait on: Application.running turns False first thing.
    while True:
        if not alive():
            stop.set()
            return
        await asyncio.sleep(WATCH_SECONDS)


async def track_broadcasts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Mark broadcasts running and done; queue each finished one's report for its admin."""
    svc = services(context)
    if svc is None:
        return
    try:
        for report in await broadcast.finalize(svc.db):
            log.info("broadcast %s done: %d sent of %d", report.id, report.sent, report.total)
    except KabarError as exc:
        log.warning("broadcast tracking failed: %s", exc)


def schedule(app: KabarApp, svc: Services) -> None:
    """Start the drain and the broadcast tracker on the application's job queue."""
    jq = job_queue(app)
    jq.run_once(drain, when=0, data=svc, name="outbox-drain")
    jq.run_repeating(
        track_broadcasts,
        interval=BROADCAST_TICK_SECONDS,
        first=BROADCAST_TICK_SECONDS,
        data=svc,
        name="broadcast-tracker",
        job_kwargs=SINGLE,
    )
