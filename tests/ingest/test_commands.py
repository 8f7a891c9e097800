"""`kabar fetch`, `kabar feeds add` (discovery) and `kabar feeds list` (health) end to end."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kabar.cli import main
from tests.feeds import samples
from tests.feeds.server import FeedServer, status


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        "KABAR_IMPORT_CATALOG": "false",
        "KABAR_RETENTION_DAYS": "0",  # the sample feeds are dated 2024
        "KABAR_ALLOW_PRIVATE_NETWORKS": "true",
        "KABAR_SUMMARY_WORKERS": "1",
        "KABAR_FETCH_FULL_TEXT": "false",
    }


async def kabar(env: dict[str, str], *args: str) -> Result:
    """Run the command in a thread: it starts its own event loop; the server runs in ours."""
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, main, list(args), env=env)


async def test_add_discovers_fetch_stores_and_list_shows_health(
    env: dict[str, str], server: FeedServer
) -> None:
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        "</head><body>Portal</body></html>"
    )
    server.serve("/", page, content_type="text/html")
    server.serve("/rss.xml", samples.rss20(samples.items(4), title="Portal Berita"))
    added = await kabar(env, "feeds", "add", server.url("/"), "--topic", "daerah")
    assert added.exit_code == 0, added.output
    assert f"added feed 1: {server.url('/rss.xml')}" in added.output

    fetched = await kabar(env, "fetch")
    assert fetched.exit_code == 0, fetched.output
    summary = fetched.output.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("checked 1 feeds in")
    assert "4 new articles" in summary[0] and "4 summarized" in summary[0]

    listing = await kabar(env, "feeds", "list")
    assert "Portal Berita" in listing.output and "articles=4" in listing.output
    assert "errors=0" in listing.output and "last_ok=20" in listing.output

    server.route("/rss.xml", status(500))
    again = await kabar(env, "fetch", "--all", "--no-summaries")
    assert "1 errors (0 disabled)" in again.output
    listed = json.loads((await kabar(env, "feeds", "list", "--json")).output)
    assert listed[0]["error_count"] == 1 and "HTTP 500" in listed[0]["last_error"]
    assert listed[0]["last_checked_at"] and listed[0]["next_check_at"]


async def test_add_without_a_feed_is_one_clear_error(
    env: dict[str, str], server: FeedServer
) -> None:
    server.serve("/", "<html><body>nothing here</body></html>", content_type="text/html")
    result = await kabar(env, "feeds", "add", server.url("/"))
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: no feed found at {server.url('/')} (no RSS, Atom or JSON Feed, no feed link)"
    )
    offline = await kabar(env, "feeds", "add", "https://example.org/rss", "--no-discover")
    assert offline.exit_code == 0 and "added feed 1: https://example.org/rss" in offline.output


async def test_unsafe_feed_url_is_refused_by_add(env: dict[str, str]) -> None:
    strict = {**env, "KABAR_ALLOW_PRIVATE_NETWORKS": "false"}
    result = await kabar(strict, "feeds", "add", "http://127.0.0.1:9/feed")
    assert result.exit_code == 1 and "loopback" in result.output


async def test_fetch_without_summaries_still_indexes_for_search(
    env: dict[str, str], server: FeedServer
) -> None:
    server.serve("/rss.xml", samples.rss20(samples.items(2), title="Portal Berita"))
    assert (
        await kabar(env, "feeds", "add", server.url("/rss.xml"), "--no-discover")
    ).exit_code == 0
    fetched = await kabar(env, "fetch", "--no-summaries")
    assert "2 new articles" in fetched.output
    found = await kabar(env, "search", "Jeneponto", "--json")
    assert found.exit_code == 0, found.output
    assert len(json.loads(found.output)) == 2
