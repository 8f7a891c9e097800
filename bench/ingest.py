"""Ingest throughput: a loopback server with N feeds x M items, two passes, feedparser as floor.

    python -m bench ingest [--feeds 1000] [--items 20] [--hosts 100] [--database URL]

Pass 1 fetches, parses, dedups and stores every item (summaries off); summaries are then timed
on their own; pass 2 finds every feed unchanged (all 304). The floor is feedparser alone, in
this process, on the very bytes the server sends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

# Content words of Indonesian news; with the language's stop words they make text that reads
# (to the language detector and the summarizer) like the regional news Kabar ingests.
NEWS_WORDS = """
pemerintah kabupaten kota provinsi bupati gubernur wali camat desa kelurahan warga masyarakat
polisi kepolisian aparat keamanan tentara kejaksaan pengadilan hakim jaksa tersangka saksi
korban pelaku kasus laporan penyelidikan penyidikan penangkapan penahanan sidang putusan
pemilihan pilkada pemilu suara kotak logistik kampanye calon pasangan partai koalisi dukungan
anggaran belanja pendapatan pajak retribusi proyek pembangunan jalan jembatan irigasi sekolah
rumah sakit puskesmas dokter perawat pasien vaksin kesehatan pendidikan guru siswa mahasiswa
petani nelayan pedagang pasar harga beras cabai bawang minyak gula daging ikan pupuk panen
banjir longsor gempa kebakaran kekeringan cuaca hujan angin gelombang pantai sungai hutan
listrik air bersih sampah lingkungan polusi transportasi bandara pelabuhan kapal bus kereta
investasi ekonomi inflasi rupiah bank kredit usaha mikro kecil menengah ekspor impor industri
pariwisata wisatawan festival budaya adat tradisi masjid gereja pura ibadah ramadan lebaran
olahraga sepak bola pertandingan pemain pelatih klub juara turnamen stadion atlet medali
menggelar meresmikan menyerahkan memastikan meminta menegaskan menjelaskan mengatakan
menyampaikan menyebutkan menambahkan mengimbau mengajak menargetkan mencatat menemukan
meningkat menurun melonjak bertambah berkurang mencapai terjadi berlangsung dilaksanakan
ditetapkan diresmikan disalurkan diperiksa diamankan ditangkap dilaporkan diperkirakan
""".split()  # noqa: SIM905 (a word list reads better as text)
TARGETS = {"items_per_s": 1000.0, "not_modified_s": 5.0, "peak_mb": 300.0, "floor_ratio": 3.0}


@cache
def _vocabulary() -> list[str]:
    from kabar.text.stopwords import stop_words

    # Content words weigh three to one against stop words, roughly as in running news text.
    return sorted(stop_words("id")) + NEWS_WORDS * 3


def _sentence(rng: random.Random, words: list[str]) -> str:
    picked = [rng.choice(words) for _ in range(rng.randint(8, 18))]
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def feed_body(n: int, items: int, seed: int = 7) -> bytes:
    """Feed number `n`: RSS 2.0 with `items` news items, like a typical Indonesian outlet."""
    rng = random.Random(seed * 100_003 + n)
    words = _vocabulary()
    now = datetime.now(UTC).replace(microsecond=0)  # recent: older items fall out of retention
    language = "<language>id</language>" if n % 10 else ""  # one feed in ten leaves it to detection
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>Portal {n}</title><link>https://portal{n}.example/</link>{language}"
        "<ttl>15</ttl>"
    ]
    for i in range(items):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize()
        body = " ".join(_sentence(rng, words) for _ in range(rng.randint(5, 9)))
        link = f"https://portal{n}.example/berita/{n}-{i}/{title.split()[0].lower()}"
        date = format_datetime(now - timedelta(minutes=37 * i + n % 60))
        parts.append(
            f"<item><title>{title}</title><link>{link}?utm_source=rss</link>"
            f'<guid isPermaLink="false">{n}-{i}</guid><pubDate>{date}</pubDate>'
            f"<dc:creator>Redaksi {n % 17}</dc:creator>"
            f'<media:content url="https://cdn.portal{n}.example/{i}.jpg" medium="image"/>'
            f"<description><![CDATA[<p>{body}</p>]]></description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def _serve(feeds: int, items: int, ready: Any) -> None:
    """The feed server, in its own process so its CPU is not counted as ours."""
    from aiohttp import web

    bodies = {f"/feed/{n}": feed_body(n, items) for n in range(feeds)}
    tags = {path: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for path, b in bodies.items()}

    async def handler(request: web.Request) -> web.StreamResponse:
        body = bodies.get(request.path)
        if body is None:
            return web.Response(status=404)
        tag = tags[request.path]
        if request.headers.get("If-None-Match") == tag:
            return web.Response(status=304, headers={"ETag": tag})
        return web.Response(body=body, headers={"ETag": tag, "Content-Type": "application/rss+xml"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ready.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


@contextlib.contextmanager
def feed_server(feeds: int, items: int) -> Iterator[int]:
    """Start the server process; yield its port."""
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Queue()
    process = ctx.Process(target=_serve, args=(feeds, items, ready), daemon=True)
    process.start()
    try:
        yield int(ready.get(timeout=120))
    finally:
        process.terminate()
        process.join(10)


def peak_mb(pid: int | str = "self") -> float:
    """The peak resident set (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def warm_up(_n: int) -> int:
    """Import what pool tasks need and load the language model, as a long-running worker has."""
    from kabar.feeds import prepare
    from kabar.text.language import detect_language

    detect_language("Kabar menyiapkan model bahasa sebelum pengukuran dimulai.")
    return len(prepare.__name__)


def floor(feeds: int, items: int) -> tuple[float, int]:
    """feedparser alone on the same bodies: (seconds, entries)."""
    import io

    import feedparser

    bodies = [feed_body(n, items) for n in range(feeds)]
    gc.collect()
    started = time.perf_counter()
    entries = sum(len(feedparser.parse(io.BytesIO(b)).entries) for b in bodies)
    return time.perf_counter() - started, entries


async def run(args: argparse.Namespace, port: int, database_url: str) -> dict[str, float]:
    from kabar.config import load_settings
    from kabar.db import Database
    from kabar.db.migrate import upgrade
    from kabar.feeds.fetch import Fetcher
    from kabar.feeds.netsafety import parse_ip
    from kabar.feeds.opml import OutlineFeed, render_opml
    from kabar.ingest import Ingestor
    from kabar.pool import make_pool
    from kabar.sources import import_opml

    settings = load_settings(
        database_url=database_url,
        allow_private_networks=True,  # the benchmark server is on loopback
        import_catalog=False,
        fetch_full_text=False,
        summary_workers=args.workers,
    )
    loopback = parse_ip("127.0.0.1")
    assert loopback is not None

    async def resolve(host: str, _port: int) -> list[Any]:
        assert host.endswith(".bench.test")  # every name maps to loopback, nothing else
        return [loopback]

    db = Database(database_url)
    await upgrade(db)
    urls = [f"http://h{n % args.hosts}.bench.test:{port}/feed/{n}" for n in range(args.feeds)]
    await import_opml(db, render_opml([OutlineFeed(url=u) for u in urls]))
    fetcher = Fetcher.from_settings(settings, resolver=resolve)
    pool = make_pool(settings.summary_workers)
    ingestor = Ingestor(settings, db, fetcher, pool)
    try:
        # Start the workers (spawn + imports) before the clock: that is start-up, not ingest.
        list(pool.map(warm_up, range(8)))
        cpu = time.process_time()
        workers = list(getattr(pool, "_processes", {}) or {})
        worker_start = sum(cpu_seconds(pid) for pid in workers)
        first = await ingestor.run(all_feeds=True, summaries=False)
        main_cpu = time.process_time() - cpu
        worker_cpu = sum(cpu_seconds(pid) for pid in workers) - worker_start
        assert first is not None
        started = time.perf_counter()
        summarized = await ingestor.summarize_pending(limit=args.feeds * args.items)
        summaries_s = time.perf_counter() - started
        second = await ingestor.run(all_feeds=True, summaries=False)
        assert second is not None
        worker_peaks = [peak_mb(pid) for pid in workers]
    finally:
        await fetcher.aclose()
        pool.shutdown()
        await db.dispose()
    return {
        "new": first.new,
        "errors": first.errors + second.errors,
        "pass1_s": first.seconds,
        "summarized": summarized,
        "summaries_s": summaries_s,
        "pass2_s": second.seconds,
        "not_modified": second.not_modified,
        "peak_main_mb": peak_mb(),
        "peak_worker_mb": max(worker_peaks, default=0.0),
        "workers": len(workers),
        "main_cpu_s": main_cpu,
        "worker_cpu_s": worker_cpu,
    }


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures next to the feedparser floor and the targets."""
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=100, help="host names the feeds spread over")
    parser.add_argument("--workers", type=int, default=0, help="process pool size (0: CPUs)")
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)

    total = args.feeds * args.items
    print(
        f"{args.feeds} feeds x {args.items} items over {args.hosts} host names on 127.0.0.1, "
        f"{os.cpu_count()} CPUs"
    )
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, feed_server(args.feeds, args.items) as port:
        url = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"database: {url.split('://')[0]}")
        figures = asyncio.run(run(args, port, url))
    floor_s, floor_entries = floor(args.feeds, args.items)
    load_after = os.getloadavg()[0]
    assert floor_entries == total

    items_per_s = figures["new"] / figures["pass1_s"]
    ratio = figures["pass1_s"] / floor_s
    print(f"\n{'':34}{'kabar':>12}{'feedparser':>14}{'target':>12}")
    rows = [
        ("pass 1: items stored", f"{figures['new']:.0f}", f"{floor_entries}", f"{total}"),
        ("pass 1: seconds", f"{figures['pass1_s']:.2f}", f"{floor_s:.2f}", ""),
        ("pass 1: items/s", f"{items_per_s:,.0f}", f"{floor_entries / floor_s:,.0f}", ">= 1,000"),
        ("pass 1 time / feedparser time", f"{ratio:.2f}x", "1.00x", "<= 3x"),
        ("pass 2 (all 304): seconds", f"{figures['pass2_s']:.2f}", "", "<= 5"),
        ("pass 2: feeds not modified", f"{figures['not_modified']:.0f}", "", f"{args.feeds}"),
        ("summaries (apart): articles/s",
         f"{figures['summarized'] / max(figures['summaries_s'], 1e-9):,.0f}", "", ""),
        ("peak memory, main process (MB)", f"{figures['peak_main_mb']:.0f}", "", "<= 300"),
        (f"peak memory, each of {figures['workers']:.0f} workers (MB)",
         f"{figures['peak_worker_mb']:.0f}", "", ""),
        ("CPU s in pass 1: main / all workers",
         f"{figures['main_cpu_s']:.1f} / {figures['worker_cpu_s']:.1f}", "", ""),
        ("pass 1: items per CPU second",
         f"{figures['new'] / (figures['main_cpu_s'] + figures['worker_cpu_s']):,.0f}",
         f"{floor_entries / floor_s:,.0f}", ""),
        ("errors", f"{figures['errors']:.0f}", "", "0"),
    ]  # fmt: skip
    for label, mine, base, target in rows:
        print(f"{label:34}{mine:>12}{base:>14}{target:>12}")
    ok = (
        items_per_s >= TARGETS["items_per_s"]
        and figures["pass2_s"] <= TARGETS["not_modified_s"]
        and figures["peak_main_mb"] <= TARGETS["peak_mb"]
        and ratio <= TARGETS["floor_ratio"]
        and figures["new"] == total
        and not figures["errors"]
    )
    print(
        f"\nload average (1 min) {load_before:.1f} before, {load_after:.1f} after, on "
        f"{os.cpu_count()} CPUs: other work on the machine slows every figure above"
    )
    print("all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1
