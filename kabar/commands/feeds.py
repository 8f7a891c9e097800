"""`kabar feeds`: add, list, remove, import and export sources."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from kabar import sources
from kabar.commands.common import async_command, database, print_json, settings
from kabar.feeds.fetch import Fetcher


@click.group("feeds")
def feeds_group() -> None:
    """Manage news sources."""


@feeds_group.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's own title).")
@click.option("--language", help="Language code of the feed, e.g. id or en (default: detect).")
@click.option("--topic", help="Topic the feed belongs to, e.g. nasional.")
@click.option("--region", help="Region the feed covers, e.g. sulsel.")
@click.option(
    "--no-discover",
    is_flag=True,
    help="Store the URL as given, without fetching it to check or find the feed.",
)
@async_command
async def feeds_add(
    url: str,
    *,
    name: str | None,
    language: str | None,
    topic: str | None,
    region: str | None,
    no_discover: bool,
) -> None:
    """Add a feed by URL; a web page's URL finds the feed the page announces."""
    cfg = settings()
    async with database(cfg) as db:
        if no_discover:
            feed_id = await sources.add_feed(
                db, url, name=name, language=language, topic=topic, region=region
            )
            click.echo(f"added feed {feed_id}: {url}")
            return
        fetcher = Fetcher.from_settings(cfg)
        try:
            feed_id, feed_url = await sources.discover_and_add(
                db, fetcher, url, name=name, language=language, topic=topic, region=region
            )
        finally:
            await fetcher.aclose()
    found = "" if feed_url == url else f" (found from {url})"
    click.echo(f"added feed {feed_id}: {feed_url}{found}")


@feeds_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@async_command
async def feeds_list(as_json: bool) -> None:
    """List feeds with their health."""
    async with database(settings()) as db:
        feeds = await sources.list_feeds(db)
    if as_json:
        print_json([_as_dict(f) for f in feeds])
        return
    if not feeds:
        click.echo("no feeds yet: add one with `kabar feeds add URL` or `kabar feeds import`")
        return
    for f in feeds:
        click.echo(_line(f))


def _as_dict(f: sources.FeedInfo) -> dict[str, object]:
    return {
        "id": f.id,
        "url": f.url,
        "name": f.name,
        "topic": f.topic,
        "language": f.language,
        "region": f.region,
        "paused": f.paused,
        "disabled": f.disabled,
        "articles": f.articles,
        "error_count": f.error_count,
        "last_error": f.last_error,
        "last_warning": f.last_warning,
        "last_checked_at": _iso(f.last_checked_at),
        "last_success_at": _iso(f.last_success_at),
        "next_check_at": _iso(f.next_check_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _line(f: sources.FeedInfo) -> str:
    state = "paused" if f.paused else "disabled" if f.disabled else "ok"
    if state == "ok" and f.error_count:
        state = f"failing x{f.error_count}"
    elif state == "ok" and f.last_success_at is None:
        state = "new"
    nxt = _when(f.next_check_at) if not (f.paused or f.disabled) else "-"
    line = (
        f"{f.id:>4}  {state:<12} {f.topic or '-':<12} {f.name[:40]:<40} "
        f"articles={f.articles} errors={f.error_count} last_ok={_when(f.last_success_at)} "
        f"last_check={_when(f.last_checked_at)} next={nxt}"
    )
    if f.last_error:
        line += f"\n      last error: {f.last_error[:160]}"
    if f.last_warning:
        line += f"\n      warning: {f.last_warning[:160]}"
    return line


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


@feeds_group.command("remove")
@click.argument("feed_id", type=int)
@async_command
async def feeds_remove(feed_id: int) -> None:
    """Remove a feed and its articles."""
    async with database(settings()) as db:
        feed = await sources.remove_feed(db, feed_id)
    click.echo(f"removed feed {feed_id}: {feed.url}")


@feeds_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@async_command
async def feeds_import(file: str) -> None:
    """Import feeds from an OPML file (or - for stdin). An invalid file imports nothing."""
    data = sys.stdin.buffer.read() if file == "-" else _read(file)
    async with database(settings()) as db:
        added, present = await sources.import_opml(db, data)
    click.echo(f"imported {added} feeds ({present} already present)")


def _read(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None


@feeds_group.command("export")
@async_command
async def feeds_export() -> None:
    """Write every feed as OPML 2.0 to stdout."""
    async with database(settings()) as db:
        data = await sources.export_opml(db)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.write(b"\n")
