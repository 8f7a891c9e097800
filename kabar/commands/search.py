"""`kabar search QUERY`: search stored articles from the command line."""

from __future__ import annotations

import html
import re

import click

from kabar.commands.common import async_command, database, print_json, settings
from kabar.search import Filters, Order, SearchHit, search

_TAG = re.compile(r"</?b>")


@click.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 50))
@click.option(
    "--order",
    type=click.Choice([o.value for o in Order]),
    default=Order.RELEVANCE.value,
    show_default=True,
)
@click.option("--topic", help="Only sources of this topic.")
@click.option(
    "--source", "sources", type=int, multiple=True, help="Only this feed id (repeatable)."
)
@click.option("--language", help="Only articles in this language, e.g. id or en.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@async_command
async def search_command(
    query: str,
    *,
    limit: int,
    order: str,
    topic: str | None,
    sources: tuple[int, ...],
    language: str | None,
    as_json: bool,
) -> None:
    """Search stored articles: words, "exact phrase", -exclude, a OR b, prefix*."""
    filters = Filters(sources=sources, language=language, topic=topic)
    async with database(settings()) as db:
        page = await search(db, query, filters=filters, order=Order(order), limit=limit)
    if as_json:
        print_json([_as_dict(hit) for hit in page.items])
        return
    if not page.items:
        click.echo("no articles match")
        return
    for hit in page.items:
        click.echo(_line(hit))


def _as_dict(hit: SearchHit) -> dict[str, object]:
    return {
        "id": hit.article_id,
        "title": hit.title,
        "url": hit.url,
        "source": hit.feed_name,
        "published_at": hit.published_at.isoformat(),
        "snippet": hit.snippet,
        "summary": hit.summary,
    }


def _line(hit: SearchHit) -> str:
    when = hit.published_at.strftime("%Y-%m-%d %H:%M")
    excerpt = html.unescape(_TAG.sub("", hit.snippet))
    return f"{hit.article_id:>7}  {when}  {hit.feed_name[:24]:<24}  {hit.title}\n         {excerpt}"
