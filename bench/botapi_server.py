"""The local Bot API server's own ceiling: sendMessage/s it answers, and its CPU per message.

The delivery benchmark (100,000 messages, a sender ceiling >= 1,000/s) runs against this
server, so the server must answer well above that. Baseline in the same run: getMe, the
cheapest call (HTTP and envelope only), so the cost of Telegram's rules shows as the gap.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

from tests.botapi.remote import RemoteBotApi, standalone

TEXT = (
    "<b>Banjir rob rendam pesisir Jakarta Utara</b>\n"
    "Air laut pasang merendam permukiman di Muara Angke sejak Minggu pagi; warga "
    "mengungsi ke masjid &amp; sekolah terdekat. BPBD menyiagakan perahu karet dan "
    "pompa di tiga titik. <i>Kompas.id</i> · "
    '<a href="https://www.kompas.id/baca/metro/2024/12/15/banjir-rob">Baca selengkapnya</a>'
)
MARKUP = json.dumps(
    {"inline_keyboard": [[{"text": "Bisukan sumber", "callback_data": "mute:kompas"}]]}
)


async def drive(remote: RemoteBotApi, method: str, count: int, concurrency: int) -> float:
    """Send `count` calls of `method` with `concurrency` connections; seconds taken."""
    token = (await remote.health())["token"]
    url = f"{remote.base_url}{token}/{method}"
    queue = iter(range(count))

    async def worker(client: aiohttp.ClientSession) -> None:
        for i in queue:
            data = (
                {
                    "chat_id": str(1 + i % 100_000),
                    "text": TEXT,
                    "parse_mode": "HTML",
                    "reply_markup": MARKUP,
                }
                if method == "sendMessage"
                else None
            )
            async with client.post(url, data=data) as response:
                if response.status != 200:
                    raise RuntimeError(f"{method}: {response.status} {await response.text()}")
                await response.read()

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started


async def run(count: int, baseline: int, concurrency: int) -> None:
    async with standalone("--rate-limits", "off", "--lean", "--auto-users") as remote:
        rows = []
        for method, calls in (("getMe", baseline), ("sendMessage", count)):
            before = (await remote.counters())["cpu_seconds"]
            seconds = await drive(remote, method, calls, concurrency)
            cpu = (await remote.counters())["cpu_seconds"] - before
            rows.append((method, calls, calls / seconds, cpu / calls * 1e6))
        final = await remote.counters()
    print(f"{concurrency} connections, server in lean mode with --auto-users, limits off")
    print(f"{'call':<31}{'calls':>8}{'calls/s':>10}{'server CPU/call':>18}")
    for method, calls, rate, cpu_us in rows:
        label = "getMe (baseline)" if method == "getMe" else "sendMessage (HTML + keyboard)"
        print(f"{label:<31}{calls:>8}{rate:>10.0f}{cpu_us:>15.0f} µs")
    print(f"messages accepted: {final['sent']}, server peak RSS: {final['max_rss_mb']:.0f} MB")


def main(argv: list[str]) -> int:
    """python -m bench botapi_server [--count N] [--baseline N] [--concurrency C]"""
    parser = argparse.ArgumentParser(prog="python -m bench botapi_server")
    parser.add_argument("--count", type=int, default=100_000, help="sendMessage calls")
    parser.add_argument("--baseline", type=int, default=10_000, help="getMe calls")
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args(argv)
    asyncio.run(run(options.count, options.baseline, options.concurrency))
    return 0
