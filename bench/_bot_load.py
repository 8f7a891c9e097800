"""Load for bench/bot_latency: an archive of stored articles, and an ingest pass to run."""

from __future__ import annotations

import random
from datetime import timedelta

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed

WORDS = (
    "banjir",
    "jakarta",
    "utara",
    "warga",
    "mengungsi",
    "hujan",
    "deras",
    "pemerintah",
    "provinsi",
    "bantuan",
    "logistik",
    "pilkada",
    "jeneponto",
    "kpu",
    "suara",
    "pemilih",
    "aman",
    "polisi",
    "kapolres",
    "ekonomi",
    "rupiah",
    "inflasi",
    "bank",
    "indonesia",
    "suku",
    "bunga",
    "ekspor",
    "batu",
    "bara",
    "sawit",
    "petani",
    "harga",
    "beras",
    "pasar",
    "menteri",
    "presiden",
    "dpr",
    "undang-undang",
    "sidang",
    "gempa",
    "maluku",
    "bmkg",
    "tsunami",
    "sekolah",
    "guru",
    "siswa",
    "kesehatan",
    "rumah",
    "sakit",
)
TOPICS = ("nasional", "daerah", "ekonomi", "olahraga", "teknologi")


def sentence(rng: random.Random, words: int = 14) -> str:
    """A plausible Indonesian news sentence from the vocabulary."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


async def seed_archive(db: Database, articles: int, *, feeds: int = 20, seed: int = 7) -> None:
    """`articles` summarized articles over the last three days, from `feeds` sources."""
    rng = random.Random(seed)
    now = utcnow()
    async with db.transaction() as session:
        rows = [
            Feed(
                url=f"http://127.0.0.1:9/archive/{n}.xml",
                name=f"Arsip {n}",
                topic=TOPICS[n % len(TOPICS)],
                language="id",
                paused=True,  # archive only: the ingest pass leaves these alone
            )
            for n in range(feeds)
        ]
        session.add_all(rows)
        await session.flush()
        for n in range(articles):
            summary = "\n".join(sentence(rng) for _ in range(3))
            session.add(
                Article(
                    feed_id=rows[n % feeds].id,
                    guid=f"archive-{n}",
                    url=f"http://127.0.0.1:9/a/{n}",
                    title=sentence(rng, 8),
                    summary=summary,
                    text=summary + " " + " ".join(sentence(rng) for _ in range(10)),
                    published_at=now - timedelta(minutes=rng.randint(1, 3 * 24 * 60)),
                    language="id",
                )
            )
