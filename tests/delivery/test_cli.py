"""`kabar digest` and `kabar broadcast` from the command line."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from kabar import broadcast
from kabar.cli import main
from kabar.db import Database, utcnow
from tests.delivery import factory


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("KABAR_SEND_RATE", raising=False)
    return CliRunner()


def _run(db_url: str, work: object) -> object:
    async def go() -> object:
        db = Database(db_url)
        try:
            return await work(db)  # type: ignore[operator]
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_broadcast_asks_then_queues_and_reports(cli: CliRunner, db_url: str) -> None:
    async def setup(db: Database) -> None:
        await factory.chats(db, 4, first_telegram_id=100, language="en")
        await factory.chats(db, 2, first_telegram_id=200, language="id")

    _run(db_url, setup)
    declined = cli.invoke(main, ["broadcast", "--text", "<b>Hi</b>"], input="n\n")
    assert declined.exit_code == 1 and "6 chats (all)" in declined.output
    done = cli.invoke(main, ["broadcast", "--text", "<b>Hi</b>", "--language", "en", "--yes"])
    assert done.exit_code == 0, done.output
    assert "queued broadcast 1 to 4 chats" in done.output
    progress = cli.invoke(main, ["broadcast", "--progress", "1"])
    assert (
        "broadcast 1: queued; sent 0 of 4" in progress.output and "remaining 4" in progress.output
    )
    cancelled = cli.invoke(main, ["broadcast", "--cancel", "1"])
    assert "broadcast 1 cancelled" in cancelled.output and "cancelled 4" in cancelled.output

    async def check(db: Database) -> str:
        return (await broadcast.progress(db, 1)).status

    assert _run(db_url, check) == "cancelled"


def test_broadcast_refuses_bad_html_in_one_line(cli: CliRunner, db_url: str) -> None:
    _run(db_url, lambda db: factory.chats(db, 1))
    result = cli.invoke(main, ["broadcast", "--text", "<b>unclosed", "--yes"])
    assert result.exit_code == 1
    assert "Error: cannot broadcast this text: <b> is never closed" in result.output
    assert "Traceback" not in result.output


def _untimed(text: str) -> str:
    return re.sub(r"\b\d\d:\d\d\b", "HH:MM", text)


def test_digest_preview_prints_the_pages(cli: CliRunner, db_url: str) -> None:
    async def setup(db: Database) -> None:
        feed = await factory.feed(db, "Antara")
        chat = await factory.chat(db, telegram_id=4242, digest_times=["06:00"])
        await factory.subscribe(db, chat, feed_id=feed)
        for n in range(3):
            await factory.article(
                db, feed, f"Berita & kabar {n}", fetched=utcnow() - timedelta(minutes=10 + n)
            )

    _run(db_url, setup)
    result = cli.invoke(main, ["digest", "--preview", "--chat", "4242"])
    assert result.exit_code == 0, result.output
    assert "Berita &amp; kabar 0" in result.output
    assert "[🔇 Antara]" in result.output and "page 1 of 1" in result.output
    again = cli.invoke(main, ["digest", "--preview"])  # the first subscriber
    # The header shows the time of composing, which may have moved to the next minute.
    assert _untimed(again.output) == _untimed(result.output)
    missing = cli.invoke(main, ["digest", "--preview", "--chat", "1"])
    assert missing.exit_code == 1 and "no chat with Telegram id 1" in missing.output


def test_digest_without_preview_queues_what_is_due(cli: CliRunner, db_url: str) -> None:
    result = cli.invoke(main, ["digest"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 due")
