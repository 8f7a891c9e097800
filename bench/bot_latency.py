"""Command-to-reply latency of the real bot against the local Bot API server, idle and while an
ingest pass with summaries runs in the same process (as with `kabar run --role all`).

    python -m bench bot_latency [--samples 200] [--users 4] [--feeds 40] [--items 25]

The Bot API server runs in its own process (python -m tests.botapi), and so does the web server
that serves the feeds and article pages the ingest pass fetches; the bench process runs Kabar
(bot and ingest, one event loop, summaries in Kabar's process pool) and the simulated users.
A latency is the time from a user's message reaching the server to the bot's first reply
arriving there, measured by the users through the server's control API. The baseline is a bare
python-telegram-bot application answering /ping with the same client settings, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, Defaults

from bench import _bot_load as ingest_load
from bench._bot_driver import one
from kabar import subscriptions
from kabar.cli import serve
from kabar.config import Settings
from kabar.db import Database
from kabar.db.migrate import upgrade
from tests.botapi.remote import RemoteBotApi, standalone

FIRST_USER = 700_000_001
COMMANDS = (
    "/help",
    "/latest",
    "/settings",
    "/cari banjir jakarta",
    "/alerts",
    "/digest",
    "/search pilkada",
    "/latest nasional",
)
TARGET_P95_MS = 300.0
# A digest-sized HTML reply: the server parses every reply's HTML, so size costs time there too.
LONG_REPLY = "\n\n".join(
    f'<b><a href="https://contoh.id/berita/{n}">Judul berita nomor {n} tentang banjir</a></b>\n'
    f"<i>Kompas</i> · 29 Nov 14:05\n" + "Kalimat ringkasan berita yang cukup panjang. " * 8
    for n in range(8)
)


@dataclass
class Figures:
    """Latencies of one phase, in milliseconds."""

    name: str
    samples: list[float]

    def pct(self, q: float) -> float:
        """The q-th percentile."""
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    def row(self) -> str:
        """One line of the table."""
        s = self.samples
        mean = statistics.fmean(s) if s else float("nan")
        return (
            f"{self.name:<34} {len(s):>5} {self.pct(50):>8.1f} {self.pct(95):>8.1f}"
            f" {self.pct(99):>8.1f} {max(s, default=float('nan')):>8.1f} {mean:>8.1f}"
        )


async def drive(
    remote: RemoteBotApi,
    commands: tuple[str, ...],
    options: argparse.Namespace,
) -> dict[str, list[float]]:
    """Run the simulated users (bench._bot_driver) in their own process; latencies by command."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._bot_driver", remote.base_url,
        "--users", str(options.users), "--first", str(FIRST_USER), "--rate", str(options.rate),
        "--samples", str(options.samples), *commands,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    out = await process.stdout.read()
    await process.wait()
    if process.returncode:
        raise RuntimeError(f"the driver failed with status {process.returncode}")
    found: dict[str, list[float]] = json.loads(out.decode().strip().splitlines()[-1])
    return found


def merged(found: dict[str, list[float]]) -> list[float]:
    """Every latency, whatever the command."""
    return [x for values in found.values() for x in values]


@contextlib.asynccontextmanager
async def echo_app(remote: RemoteBotApi) -> AsyncIterator[None]:
    """The baseline: a bare PTB application that answers /ping, same client settings."""

    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text("pong")

    async def long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(LONG_REPLY)

    app = (
        Application.builder()
        .token((await remote.health())["token"])
        .base_url(remote.base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(CommandHandler("ping", ping))
    app.add_handler(CommandHandler("long", long))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


@contextlib.asynccontextmanager
async def kabar(remote: RemoteBotApi, database_url: str) -> AsyncIterator[Database]:
    """Kabar's real `serve` (bot role) in this process."""
    settings = bench_settings(await remote.health(), remote.base_url, database_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, "bot", stop))
    db = Database(database_url)
    try:
        await asyncio.sleep(1.0)  # getMe, setMyCommands, the first getUpdates
        if task.done():
            task.result()
        yield db
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await db.dispose()


def bench_settings(health: dict[str, str], base_url: str, database_url: str) -> Settings:
    """Settings for Kabar in the bench: the local server, feeds on loopback, no catalog."""
    return Settings(
        _env_file=None,
        telegram_bot_token=health["token"],
        telegram_api_url=base_url,
        database_url=database_url,
        import_catalog=False,
        allow_private_networks=True,
        fetch_full_text=False,
        log_level="WARNING",
    )


async def register(remote: RemoteBotApi, db: Database, users: list[int]) -> None:
    """Every user sends /start once and follows every topic, so /digest has news to compose."""
    for user_id in users:
        await one(remote, user_id, "/start")
        for topic in ingest_load.TOPICS:
            await subscriptions.follow_topic(db, user_id, topic)


def table(rows: list[Figures]) -> None:
    """Print the figures side by side."""
    heads = ("n", "p50 ms", "p95 ms", "p99 ms", "max ms", "mean")
    print(f"{'phase':<34} {heads[0]:>5} " + " ".join(f"{h:>8}" for h in heads[1:]))
    for row in rows:
        print(row.row())


async def run(options: argparse.Namespace) -> int:
    """All phases, one after the other, against one server."""
    users = list(range(FIRST_USER, FIRST_USER + options.users))
    rows: list[Figures] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        await upgrade(db)
        await ingest_load.seed_archive(db, options.archive)
        await db.dispose()
        async with standalone("--rate-limits", "off") as remote:
            await remote.create_users(FIRST_USER, options.users, language_code="id")
            async with echo_app(remote):
                base = await drive(remote, ("/ping",), options)
                long = await drive(remote, ("/long",), options)
            rows.append(Figures("baseline: bare PTB /ping", merged(base)))
            rows.append(Figures(f"baseline: bare PTB {len(LONG_REPLY)}-char HTML", merged(long)))
            async with kabar(remote, url) as kdb:
                await register(remote, kdb, users)
                idle = await drive(remote, COMMANDS, options)
                rows.extend(Figures(f"  idle {c}", v) for c, v in sorted(idle.items()))
                rows.append(Figures("kabar idle", merged(idle)))
                if not options.no_ingest:
                    busy, report = await under_ingest(remote, kdb, options)
                    rows.extend(Figures(f"  ingest {c}", v) for c, v in sorted(busy.items()))
                    rows.append(Figures("kabar during ingest passes", merged(busy)))
                    print(report)
    table(rows)
    under = rows[-1]
    verdict = "meets" if under.pct(95) <= TARGET_P95_MS else "MISSES"
    print(f"p95 {under.name}: {under.pct(95):.1f} ms; {verdict} the {TARGET_P95_MS:.0f} ms target")
    return 0


async def under_ingest(
    remote: RemoteBotApi, db: Database, options: argparse.Namespace
) -> tuple[dict[str, list[float]], str]:
    """Measure while ingest passes with summaries run back to back; latencies and a report."""
    settings = bench_settings(await remote.health(), remote.base_url, db.url)
    async with ingest_load.running(db, settings, feeds=options.feeds, items=options.items) as load:
        found = await drive(remote, COMMANDS, options)
    return found, load.summary()


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench bot_latency", description=__doc__)
    p.add_argument("--samples", type=int, default=200, help="latencies per phase")
    p.add_argument("--users", type=int, default=8, help="simulated users")
    p.add_argument("--rate", type=float, default=5.0, help="commands per second, all users")
    p.add_argument("--archive", type=int, default=5000, help="articles already stored")
    p.add_argument("--feeds", type=int, default=40, help="feeds in each ingest pass")
    p.add_argument("--items", type=int, default=25, help="new articles per feed and pass")
    p.add_argument("--no-ingest", action="store_true", help="skip the phase under ingest")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point for `python -m bench bot_latency`."""
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
