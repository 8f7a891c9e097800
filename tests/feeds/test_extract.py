"""Main text and metadata from an article page, and merging it into a teaser item."""

from __future__ import annotations

from datetime import UTC, datetime

from kabar.feeds.extract import extract_page
from kabar.feeds.model import FeedItem
from kabar.feeds.prepare import LanguageRule, complete_item, enrich, is_teaser
from tests.feeds.samples import LOREM

FETCHED = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)

PAGE = f"""<!DOCTYPE html><html lang="id"><head><title>Rapat pleno KPU</title>
<link rel="canonical" href="https://news.example.com/berita/rapat-pleno">
<meta property="og:image" content="/foto/pleno.jpg">
<meta property="article:published_time" content="2024-11-19T08:00:00+08:00">
<meta name="author" content="Muh. Idris">
</head><body><nav><a href="/">Beranda</a> <a href="/daerah">Daerah</a></nav>
<article><h1>Rapat pleno KPU</h1>
{"".join(f"<p>{LOREM} Kalimat {i}.</p>" for i in range(8))}
</article><footer>Hak cipta 2024. Baca juga: berita lain</footer></body></html>"""


def test_extract_finds_text_and_metadata() -> None:
    page = extract_page(PAGE.encode(), "https://news.example.com/berita/rapat-pleno?utm_source=x")
    assert page is not None
    assert "Kalimat 7." in page.text
    assert "Beranda" not in page.text and "Hak cipta" not in page.text
    assert page.image_url == "https://news.example.com/foto/pleno.jpg"
    assert page.canonical_url == "https://news.example.com/berita/rapat-pleno"
    assert page.published_at is not None and page.published_at.date().isoformat() == "2024-11-19"


def test_extract_of_garbage_is_none() -> None:
    assert extract_page(b"", "https://x.example/") is None
    assert extract_page(b"\x00\xff" * 1000, "https://x.example/") is None
    assert extract_page(b"<html><body></body></html>", "https://x.example/") is None


def _teaser() -> FeedItem:
    item = FeedItem(
        guid="g1",
        url="https://news.example.com/berita/rapat-pleno?utm_source=rss",
        title="Rapat pleno KPU",
        published_at=FETCHED,
        text="KPU menggelar rapat pleno... Baca selengkapnya",
        dated=False,
    )
    return enrich(item, LanguageRule())


def test_teaser_detection() -> None:
    assert is_teaser("Pendek saja.")
    assert is_teaser(LOREM * 5 + " Baca selengkapnya »")
    assert not is_teaser(LOREM * 5)
    assert _teaser().teaser


def test_complete_item_takes_the_page_text() -> None:
    item = complete_item(
        _teaser(),
        PAGE.encode(),
        "https://news.example.com/berita/rapat-pleno",
        LanguageRule(),
        FETCHED,
    )
    assert "Kalimat 7." in item.text and not item.teaser
    assert item.image_url == "https://news.example.com/foto/pleno.jpg"
    assert item.dated and item.published_at < FETCHED
    assert item.language == "id"
    assert item.simhash is not None and item.content_hash is not None
    assert item.canonical_url == "https://news.example.com/berita/rapat-pleno"


def test_complete_item_keeps_the_teaser_when_the_page_has_less() -> None:
    teaser = _teaser()
    item = complete_item(
        teaser, b"<html><body><p>x</p></body></html>", "https://x.example/", LanguageRule(), FETCHED
    )
    assert item.text == teaser.text


def test_language_rule() -> None:
    item = _teaser()
    item.text = LOREM * 3
    item.language = None
    assert LanguageRule(fixed="en").choose(item) == "en"
    assert LanguageRule(declared="ms").choose(item) == "ms"
    assert LanguageRule(declared="en", suspect=True).choose(item) == "id"  # WordPress default
    assert LanguageRule().choose(item) == "id"
    item.text, item.title = "", "ok"
    assert LanguageRule(declared="en", suspect=True).choose(item) == "en"  # too short to check
