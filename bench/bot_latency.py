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
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, Defaults

from bench import _bot_load as ingest_load
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


async def one(remote: RemoteBotApi, user_id: int, text: str) -> float:
    """Send `text` as the user and wait for the bot's first reply; milliseconds."""
    mark = (await remote.messages(chat_id=user_id, after=10**12))["next"]
    started = time.perf_counter()
    await remote.send(user_id, text)
    found = await remote.messages(chat_id=user_id, after=mark, wait=20)
    if not found["messages"]:
        raise RuntimeError(f"no reply to {text!r} from user {user_id}")
    return (time.perf_counter() - started) * 1000


async def drive(
    remote: RemoteBotApi,
    users: list[int],
    commands: tuple[str, ...],
    *,
    samples: int,
    until: Callable[[], bool] | None = None,
) -> list[float]:
    """Users take turns sending commands until `samples` are taken (or `until()` says stop)."""
    results: list[float] = []
    texts = itertools.cycle(commands)

    async def user_loop(user_id: int) -> None:
        while len(results) < samples and not (until and until()):
            text = next(texts)
            took = await one(remote, user_id, text)
            results.append(took)
            per_command.setdefault(text, []).append(took)

    await asyncio.gather(*(user_loop(u) for u in users))
    return results


per_command: dict[str, list[float]] = {}


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


async def register(remote: RemoteBotApi, users: list[int]) -> None:
    """Every user sends /start once, so the commands below find a subscriber."""
    for user_id in users:
        await one(remote, user_id, "/start")


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
                base = await drive(remote, users, ("/ping",), samples=options.samples)
                long = await drive(remote, users, ("/long",), samples=options.samples)
            rows.append(Figures("baseline: bare PTB /ping", base))
            rows.append(Figures(f"baseline: bare PTB {len(LONG_REPLY)}-char HTML", long))
            async with kabar(remote, url) as kdb:
                await register(remote, users)
                per_command.clear()
                idle = await drive(remote, users, COMMANDS, samples=options.samples)
                rows.append(Figures("kabar idle", idle))
                rows.extend(Figures(f"  idle {c}", v) for c, v in sorted(per_command.items()))
                per_command.clear()
                if not options.no_ingest:
                    busy, report = await under_ingest(remote, users, kdb, options)
                    rows.extend(Figures(f"  ingest {c}", v) for c, v in sorted(per_command.items()))
                    rows.append(Figures("kabar during an ingest pass", busy))
                    print(report)
    table(rows)
    under = rows[-1]
    verdict = "meets" if under.pct(95) <= TARGET_P95_MS else "MISSES"
    print(f"p95 {under.name}: {under.pct(95):.1f} ms; {verdict} the {TARGET_P95_MS:.0f} ms target")
    return 0


async def under_ingest(
    remote: RemoteBotApi, users: list[int], db: Database, options: argparse.Namespace
) -> tuple[list[float], str]:
    """Measure while ingest passes with summaries run; returns latencies and a report line."""
    settings = bench_settings(await remote.health(), remote.base_url, db.url)
    async with ingest_load.running(db, settings, feeds=options.feeds, items=options.items) as load:
        samples = await drive(remote, users, COMMANDS, samples=options.samples, until=load.finished)
        return samples, await load.report()


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench bot_latency", description=__doc__)
    p.add_argument("--samples", type=int, default=200, help="latencies per phase")
    p.add_argument("--users", type=int, default=4, help="users sending commands at once")
    p.add_argument("--archive", type=int, default=5000, help="articles already stored")
    p.add_argument("--feeds", type=int, default=40, help="feeds in the ingest pass")
    p.add_argument("--items", type=int, default=25, help="new articles per feed")
    p.add_argument("--no-ingest", action="store_true", help="skip the phase under ingest")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point for `python -m bench bot_latency`."""
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
