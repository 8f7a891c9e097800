"""`kabar summarize`: summarize a text file, an HTML page, a URL or stdin; or JSON lines in bulk."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

import click

from kabar.commands.common import settings
from kabar.errors import KabarError
from kabar.feeds.fetch import Fetcher
from kabar.text.summarize import Summary, normalize_language, summarize

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MAX_INPUT_BYTES = 20_000_000  # a larger "article" is a mistake, not news


@click.command("summarize")
@click.argument("source", required=False, metavar="[FILE|URL|-]")
@click.option(
    "--language",
    default="auto",
    show_default=True,
    help="Language code of the text (id, en, ...), or auto to detect it.",
)
@click.option("--sentences", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--max-chars", type=click.IntRange(min=1), help="Character budget of the summary.")
@click.option("--title", help="The article's title (helps ranking; a repeat of it is dropped).")
@click.option(
    "--jsonl",
    is_flag=True,
    help='Batch: JSON lines {"id","text"[,"title","language"]} on stdin, '
    'JSON lines {"id","language","summary"} on stdout.',
)
def summarize_command(
    *,
    source: str | None,
    language: str,
    sentences: int,
    max_chars: int | None,
    title: str | None,
    jsonl: bool,
) -> None:
    """Summarize one text, HTML page or URL (stdin when SOURCE is - or absent)."""
    if jsonl:
        if source not in (None, "-"):
            raise click.UsageError("--jsonl reads stdin; give no FILE or URL")
        failed = summarize_lines(sys.stdin, language, sentences, max_chars)
        if failed:
            raise click.ClickException(f"{failed} input line(s) could not be summarized")
        return
    text, page_title = read_source(source)
    summary = summarize(
        text,
        title=title or page_title,
        language=normalize_language(language),
        sentences=sentences,
        max_chars=max_chars,
    )
    if not summary.sentences:
        click.echo("no summary: the text has no sentences to take", err=True)
    for sentence in summary.sentences:
        click.echo(sentence)


def read_source(source: str | None) -> tuple[str, str | None]:
    """The text (and the page title, for HTML) of a file, a URL or stdin."""
    if source is None and sys.stdin.isatty():
        raise click.UsageError("give a FILE, a URL, or - to read stdin")
    if source in (None, "-"):
        return decode(_read_capped(sys.stdin.buffer), html_hint=False)
    assert source is not None
    if source.startswith(("http://", "https://")):
        return fetch_page_text(source)
    path = Path(source)
    try:
        with path.open("rb") as stream:
            data = _read_capped(stream)
    except OSError as exc:
        raise click.ClickException(f"cannot read {source}: {exc.strerror or exc}") from None
    return decode(data, html_hint=path.suffix.lower() in HTML_SUFFIXES)


def _read_capped(stream: BinaryIO) -> bytes:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise click.ClickException(f"input is larger than {MAX_INPUT_BYTES // 1_000_000} MB")
    return data


def decode(data: bytes, *, html_hint: bool) -> tuple[str, str | None]:
    """Plain text as is; an HTML page as its main text (trafilatura) and its title."""
    head = data[:2048].lstrip().lower()
    if html_hint or head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return page_text(data)
    return data.decode("utf-8", errors="replace"), None


def page_text(html: bytes | str) -> tuple[str, str | None]:
    """The main text and the title of an HTML page (empty text when it has none)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False
    )
    if document is None:
        return "", None
    if isinstance(document, dict):
        text, title = document.get("text"), document.get("title")
    else:
        text, title = document.text, document.title
    return str(text or ""), str(title or "") or None


def fetch_page_text(url: str) -> tuple[str, str | None]:
    """The main text and title of the web page at `url`, fetched with the safe fetcher.

    The fetcher applies the same address policy, size cap and deadline as ingestion, so
    `kabar summarize` cannot be pointed at the machine's private network either.
    """
    cfg = settings()

    async def fetch() -> bytes:
        fetcher = Fetcher.from_settings(cfg)
        try:
            return (await fetcher.fetch_page(url)).content
        finally:
            await fetcher.aclose()

    try:
        body = asyncio.run(fetch())
    except KabarError as exc:
        raise click.ClickException(f"cannot fetch {url}: {exc}") from None
    return page_text(body)


def summarize_lines(lines: Any, language: str, sentences: int, max_chars: int | None) -> int:
    """Summarize each JSON line of `lines` onto stdout; return how many lines failed."""
    failed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _item(line)
        except ValueError as exc:
            click.echo(f"line {number}: {exc}", err=True)
            failed += 1
            continue
        summary = summarize(
            item["text"],
            title=item.get("title"),
            language=normalize_language(item.get("language") or language),
            sentences=sentences,
            max_chars=max_chars,
        )
        click.echo(json.dumps(_result(item.get("id"), summary), ensure_ascii=False))
    return failed


def _item(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError('expected an object with a "text" string')
    for key in ("title", "language"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ValueError(f'"{key}" must be a string')
    return item


def _result(item_id: Any, summary: Summary) -> dict[str, Any]:
    return {"id": item_id, "language": summary.language, "summary": summary.sentences}
