"""`kabar fetch`: one ingest pass with a progress bar, ending with a one-line summary."""

from __future__ import annotations

import click
from tqdm import tqdm

from kabar.commands.common import async_command, settings
from kabar.ingest import FeedOutcome
from kabar.search import reindex
from kabar.services import open_services


@click.command("fetch")
@click.option("--all", "all_feeds", is_flag=True, help="Check every active feed, due or not.")
@click.option("--no-summaries", is_flag=True, help="Store new articles without summarizing them.")
@async_command
async def fetch_command(all_feeds: bool, no_summaries: bool) -> None:
    """Fetch the feeds that are due (all active feeds with --all) and store new articles."""
    cfg = settings()
    # disable=None: a bar on a terminal, nothing when stderr is a log file or a pipe (cron).
    bar = tqdm(total=0, unit="feed", desc="feeds", leave=False, dynamic_ncols=True, disable=None)
    counts = {"new": 0, "errors": 0}

    def started(total: int) -> None:
        bar.reset(total=total)

    def done(outcome: FeedOutcome) -> None:
        counts["new"] += outcome.new
        counts["errors"] += outcome.status in ("error", "disabled")
        bar.set_postfix(new=counts["new"], errors=counts["errors"], refresh=False)
        bar.update(1)

    try:
        async with open_services(cfg) as svc:
            report = await svc.ingestor().run(
                all_feeds=all_feeds, on_start=started, on_feed=done, summaries=not no_summaries
            )
            if no_summaries:  # summaries would have indexed the new articles; do it here
                await reindex(svc.db)
    finally:
        bar.close()
    if report is None:  # pragma: no cover - a fresh Ingestor is never busy
        raise click.ClickException("another pass is running")
    click.echo(report.line())
