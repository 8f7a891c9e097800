"""The process pool for CPU work (parsing, extraction, summaries), safe under "spawn"."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from kabar.search.model import Document
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


Job = tuple[int, str, str, str | None, datetime]  # id, title, text, language, published_at
Result = tuple[int, str, str | None, Document]  # id, summary, language, search document


def summarize_batch(jobs: list[Job], sentences: int) -> list[Result]:
    """Summaries for article jobs, each with the article's search document.

    Analyzing for the search index here, next to the summary it needs, keeps that CPU work in
    the worker processes instead of the event loop that answers users.
    """
    results = []
    for article_id, title, text, language, published_at in jobs:
        try:
            summary = summarize(text, title=title, language=language, sentences=sentences)
            summary_text, detected = summary.text, summary.language or language
        except Exception:
            # One text the summarizer chokes on must not fail its batch forever; it gets an
            # empty summary (digests fall back to the title) and is not retried.
            log.exception("summarizing article %s failed", article_id)
            summary_text, detected = "", language
        document = Document.of(article_id, title, summary_text, text, detected, published_at)
        results.append((article_id, summary_text, detected, document))
    return results
