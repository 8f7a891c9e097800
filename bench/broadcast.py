"""A broadcast to 100,000 subscribers: paced at Telegram's limit, then the sender's own ceiling.

Phase 1, paced: 100,000 chats and one broadcast queued; the real worker (`kabar run --role
worker`, KABAR_SEND_RATE=30) sends to the local Bot API server, which enforces 30 messages/s as
Telegram does. With all 100,000 queued, the sustained rate is measured over a fixed window
(--window, 120 s) after a short warm-up: the server's count of delivered messages, the 429s it
answered, the worker's peak memory (VmHWM). 100,000 at 30/s takes about 55 minutes, so the total
time is projected from the window unless --full runs the whole broadcast.

Phase 2, limits lifted: the same sender with no global rate (bench/_sender.py) sends
--ceiling-messages to a server without limits: messages/s and the sender's CPU per message.
Baseline, same run and server: python-telegram-bot's own `Bot.send_message` in a loop (its
default httpx backend) with the same number of requests in flight.

Targets: >= 97% of the configured rate with zero 429s, peak memory <= 200 MB at 100,000, and a
ceiling >= 1,000 messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kabar import broadcast
from kabar.db import Database
from kabar.db.migrate import upgrade
from tests.botapi.remote import RemoteBotApi, standalone
from tests.delivery import factory
from tests.delivery.harness import worker_env

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "<b>Pengumuman Kabar</b>\n"
    "Mulai pekan depan, rangkuman pagi dikirim pukul 06.00 WIB. Atur jam Anda lewat "
    "/settings &amp; pilih sumber favorit. <i>Terima kasih telah membaca.</i>"
)
FIRST_ID = 1_000_000


@dataclass
class Proc:
    """CPU seconds and peak resident memory of a process, from /proc."""

    pid: int

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def peak_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


async def _prepare(db_url: str, subscribers: int) -> float:
    """Chats and one queued broadcast; returns the seconds queueing took."""
    db = Database(db_url)
    try:
        await upgrade(db)
        await factory.chats(db, subscribers, first_telegram_id=FIRST_ID)
        bid = await broadcast.create(db, TEXT)
        started = time.perf_counter()
        total = await broadcast.queue(db, bid)
        assert total == subscribers, total
        return time.perf_counter() - started
    finally:
        await db.dispose()


async def _spawn(args: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *args, env=env, cwd=ROOT, stdout=out, stderr=out
        )


async def _sent(remote: RemoteBotApi) -> tuple[int, int, float]:
    c = await remote.counters()
    return int(c["sent"]), int(c["too_many_requests"]), float(c["now"])


async def _wait_sent(remote: RemoteBotApi, at_least: int, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            while True:  # the count lives in another process: polling is the only way
                if (await _sent(remote))[0] >= at_least:
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise RuntimeError(f"fewer than {at_least} messages after {seconds} s") from None


async def paced(options: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Phase 1: the worker at the configured rate against a server enforcing it."""
    db_url = f"sqlite+aiosqlite:///{work / 'paced.db'}"
    queue_seconds = await _prepare(db_url, options.subscribers)
    limits = ["--rate-limits", "on", "--global-rate", str(options.limit), "--auto-users", "--lean"]
    async with standalone(*limits) as remote:
        token = (await remote.health())["token"]
        env = worker_env(remote.base_url, token, db_url, KABAR_SEND_RATE=str(options.rate))
        kabar = str(Path(sys.executable).with_name("kabar"))
        started = time.perf_counter()
        worker = await _spawn([kabar, "run", "--role", "worker"], env, work / "worker.log")
        proc = Proc(worker.pid)
        try:
            await _wait_sent(remote, 1, 120)
            first_after = time.perf_counter() - started
            await asyncio.sleep(options.warmup)
            sent0, _, t0 = await _sent(remote)
            await asyncio.sleep(options.window)
            sent1, too_many, t1 = await _sent(remote)
            rate = (sent1 - sent0) / (t1 - t0)
            if options.full:
                await _wait_sent(remote, options.subscribers, options.subscribers / rate * 2 + 600)
                total = time.perf_counter() - started
                sent1, too_many, _ = await _sent(remote)
            else:
                total = first_after + options.subscribers / rate
            peak = proc.peak_mb()
        finally:
            worker.terminate()
            await worker.wait()
    return {
        "queue_seconds": queue_seconds,
        "rate": rate,
        "too_many": too_many,
        "total_seconds": total,
        "total_measured": options.full,
        "peak_mb": peak,
        "first_after": first_after,
    }


async def ceiling(options: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Phase 2: the sender with no global rate, against a server without limits."""
    n = options.ceiling_messages
    db_url = f"sqlite+aiosqlite:///{work / 'ceiling.db'}"
    await _prepare(db_url, n)
    async with standalone("--rate-limits", "off", "--auto-users", "--lean") as remote:
        token = (await remote.health())["token"]
        env = worker_env(
            remote.base_url,
            token,
            db_url,
            KABAR_SEND_MAX_IN_FLIGHT=str(options.in_flight),
        )
        sender = await _spawn(
            [sys.executable, "-m", "bench._sender"], env, work / "ceiling-sender.log"
        )
        proc = Proc(sender.pid)
        try:
            await _wait_sent(remote, 1, 60)
            sent0, _, t0 = await _sent(remote)
            cpu0, server0 = proc.cpu(), (await remote.counters())["cpu_seconds"]
            await _wait_sent(remote, n, 600)
            sent1, too_many, t1 = await _sent(remote)
            cpu1, server1 = proc.cpu(), (await remote.counters())["cpu_seconds"]
        finally:
            sender.terminate()
            await sender.wait()
        base = await _baseline(remote.base_url, token, options)
    messages = sent1 - sent0
    return {
        "rate": messages / (t1 - t0),
        "cpu_ms": (cpu1 - cpu0) / messages * 1000,
        "server_cpu_ms": (server1 - server0) / messages * 1000,
        "too_many": too_many,
        "load": os.getloadavg()[0],
        **base,
    }


async def _baseline(base_url: str, token: str, options: argparse.Namespace) -> dict[str, Any]:
    """python-telegram-bot's Bot.send_message loop with its default backend."""
    from telegram import Bot

    n = min(options.ceiling_messages, options.baseline_messages)
    bot = Bot(token, base_url=base_url)
    await bot.initialize()
    gate = asyncio.Semaphore(options.in_flight)

    async def one(i: int) -> None:
        async with gate:
            await bot.send_message(chat_id=FIRST_ID + i, text=TEXT, parse_mode="HTML")

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    cpu1, t1 = time.process_time(), time.perf_counter()
    await bot.shutdown()
    return {"baseline_rate": n / (t1 - t0), "baseline_cpu_ms": (cpu1 - cpu0) / n * 1000}


def _paced_report(options: argparse.Namespace, p: dict[str, Any]) -> list[str]:
    share = p["rate"] / options.rate * 100
    how = "measured" if p["total_measured"] else "projected from the window"
    print(
        f"phase 1: {options.subscribers:,} subscribers, server enforcing "
        f"{options.limit:g}/s, sender at {options.rate:g}/s"
    )
    print(f"  queue {options.subscribers:,} rows      {p['queue_seconds']:8.1f} s")
    print(f"  first message after   {p['first_after']:8.1f} s (worker start-up)")
    print(
        f"  sustained rate        {p['rate']:8.2f} /s over {options.window:g} s  "
        f"({share:.1f}% of configured; target >= 97%)"
    )
    print(f"  429 answers           {p['too_many']:8d}      (target 0)")
    print(f"  total time            {p['total_seconds'] / 60:8.1f} min ({how})")
    print(f"  worker peak memory    {p['peak_mb']:8.1f} MB   (target <= 200 MB)")
    missed = []
    if share < 97:
        missed.append(f"rate {share:.1f}% < 97%")
    if p["too_many"]:
        missed.append(f"{p['too_many']} 429s")
    if p["peak_mb"] > 200:
        missed.append(f"peak memory {p['peak_mb']:.0f} MB > 200 MB")
    return missed


def _ceiling_report(options: argparse.Namespace, c: dict[str, Any]) -> list[str]:
    print(
        f"phase 2: limits lifted, {options.ceiling_messages:,} messages, "
        f"{options.in_flight} requests in flight at most"
    )
    print(f"  {'':22} {'kabar sender':>14} {'PTB send_message loop':>24}")
    print(f"  {'messages/s':22} {c['rate']:14.0f} {c['baseline_rate']:24.0f}")
    print(f"  {'CPU ms per message':22} {c['cpu_ms']:14.3f} {c['baseline_cpu_ms']:24.3f}")
    ceiling, baseline = 1000 / c["cpu_ms"], 1000 / c["baseline_cpu_ms"]
    print(f"  {'one core would allow':22} {ceiling:14.0f} {baseline:24.0f}")
    print(
        f"  (the server took {c['server_cpu_ms']:.3f} ms CPU per message on the same machine; "
        f"{os.cpu_count()} CPUs, load average {c['load']:.1f})"
    )
    print("  (target: kabar sender >= 1,000 messages/s)")
    if c["rate"] >= 1000:
        return []
    return [f"ceiling measured {c['rate']:.0f}/s < 1,000/s (its CPU would allow {ceiling:.0f}/s)"]


def _report(options: argparse.Namespace, p: dict[str, Any] | None, c: dict[str, Any] | None) -> int:
    missed = (_paced_report(options, p) if p else []) + (_ceiling_report(options, c) if c else [])
    print("targets met" if not missed else "TARGETS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m bench broadcast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--limit", type=float, default=30.0, help="the server's messages/s")
    p.add_argument("--rate", type=float, default=30.0, help="KABAR_SEND_RATE")
    p.add_argument("--window", type=float, default=120.0, help="seconds measured")
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--full", action="store_true", help="send all of them (about 55 min)")
    p.add_argument("--ceiling-messages", type=int, default=20_000)
    p.add_argument("--baseline-messages", type=int, default=5_000)
    p.add_argument("--in-flight", type=int, default=32, help="KABAR_SEND_MAX_IN_FLIGHT")
    p.add_argument("--only", choices=("paced", "ceiling"))
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run both phases (or --only one) and print the figures."""
    options = parse(argv)

    async def run() -> int:
        with tempfile.TemporaryDirectory(prefix="kabar-bench-") as tmp:
            work = Path(tmp)
            p = await paced(options, work) if options.only != "ceiling" else None
            c = await ceiling(options, work) if options.only != "paced" else None
            return _report(options, p, c)

    return asyncio.run(run())
