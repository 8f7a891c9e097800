"""`kabar search` prints hits as text or JSON."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from kabar.cli import main
from kabar.db import Database
from tests.search.corpus import add_article, add_feed


def _seed(url: str) -> None:
    async def go() -> None:
        db = Database(url)
        try:
            feed = await add_feed(db, "Antara")
            for n in range(3):
                await add_article(db, feed, f"Banjir rob {n}", "Air laut naik & surut.", age_days=n)
        finally:
            await db.dispose()

    asyncio.run(go())


def test_search_command(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    result = runner.invoke(main, ["search", "banjir", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [h["title"] for h in hits] == ["Banjir rob 0", "Banjir rob 1"]
    assert hits[0]["source"] == "Antara" and hits[0]["snippet"] == "Air laut naik &amp; surut."

    result = runner.invoke(main, ["search", "laut", "--order", "newest"])
    assert result.exit_code == 0, result.output
    assert "Banjir rob 2" in result.output and "Air laut naik & surut." in result.output

    result = runner.invoke(main, ["search", '"NEAR( *'])
    assert result.exit_code == 0 and "no articles match" in result.output
