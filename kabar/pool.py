"""The process pool for CPU work (parsing, extraction, summaries), safe under "spawn"."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

from kabar.text.summarize import summarize

log = logging.getLogger(__name__)


def make_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes (0: one per CPU), started with "spawn".

    Spawned workers import what they need fresh instead of inheriting the parent's event loop,
    sockets and locks, which is what makes fork unsafe next to asyncio and threads.
    """
    size = workers or os.cpu_count() or 1
    return ProcessPoolExecutor(
        max_workers=size,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle; workers finish or are terminated by the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(5)  # the bot's own process answers users first


def summarize_batch(
    jobs: list[tuple[int, str, str, str | None]], sentences: int
) -> list[tuple[int, str, str | None]]:
    """Summaries for (article id, title, text, language) jobs: (id, summary, language)."""
    results = []
    for article_id, title, text, language in jobs:
        try:
            summary = summarize(text, title=title, language=language, sentences=sentences)
        except Exception:
            # One text the summarizer chokes on must not fail its batch forever; it gets an
            # empty summary (digests fall back to the title) and is not retried.
            log.exception("summarizing article %s failed", article_id)
            results.append((article_id, "", language))
            continue
        results.append((article_id, summary.text, summary.language or language))
    return results
