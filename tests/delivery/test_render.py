"""Digest pages: escaped, within 4096 UTF-16 units, split between items, deterministic."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kabar import callbacks
from kabar.digest_rank import Candidate, Item, rank
from kabar.digest_render import MAX_ITEM, Style, Window, paginate, render_item, render_page
from kabar.tghtml import MAX_MESSAGE, check, utf16_len

UNTIL = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
WINDOW = Window(UNTIL - timedelta(hours=24), UNTIL)
STYLE = Style("id", ZoneInfo("Asia/Jakarta"), 3)


def cand(n: int, **kw: object) -> Candidate:
    values: dict[str, object] = {
        "article_id": n,
        "feed_id": n % 5 + 1,
        "source": f"Sumber {n % 5 + 1}",
        "title": f"Berita nomor {n}",
        "url": f"https://news.example/{n}",
        "published_at": UNTIL - timedelta(minutes=10 * n),
        "language": "id",
        "summary": "Kalimat pertama.\nKalimat kedua.\nKalimat ketiga.\nKalimat keempat.",
        "lead": "",
        "story_id": None,
    }
    values.update(kw)
    return Candidate(**values)  # type: ignore[arg-type]


def items(cands: list[Candidate], limit: int = 100) -> list[Item]:
    return rank(cands, now=UNTIL, language="id", story_sources={}, limit=limit)


def test_hostile_text_is_escaped_and_links_are_http_only() -> None:
    evil = cand(
        1,
        title='<script>alert(1)</script> & "quotes"',
        source="<b>Bad</b> & Co",
        summary="1 < 2 & 3 > 2 <i>not italic</i>",
        url='javascript:alert("x")',
    )
    text = render_item(1, items([evil])[0], STYLE, UNTIL)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;Bad&lt;/b&gt; &amp; Co" in text
    assert "javascript:" not in text
    assert check(text) is None
    quoted = render_item(1, items([cand(2, url='https://x.example/?a=1&b="2"')])[0], STYLE, UNTIL)
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in quoted


def test_summary_length_follows_the_chat_setting() -> None:
    one = Style("en", ZoneInfo("UTC"), 1)
    text = render_item(1, items([cand(1)])[0], one, UNTIL)
    assert "Kalimat pertama." in text and "Kalimat kedua." not in text


def test_pages_fit_4096_and_split_between_items() -> None:
    long_summary = "\n".join(["Ini kalimat yang cukup panjang dengan emoji 🇮🇩 & tanda < >."] * 6)
    found = items([cand(n, summary=long_summary) for n in range(40)], limit=40)
    pages = paginate(found, STYLE, WINDOW, page_items=8)
    assert sum(len(p) for p in pages) == 40
    assert [i for p in pages for i in p] == list(range(40))  # order kept, nothing twice
    for number in range(len(pages)):
        page = render_page(found, STYLE, WINDOW, 8, number)
        assert page is not None
        assert utf16_len(page.text) <= MAX_MESSAGE
        assert check(page.text) is None
        assert page.count == len(pages)
    assert render_page(found, STYLE, WINDOW, 8, len(pages)) is None


def test_a_giant_article_is_cut_to_fit_and_stays_valid_html() -> None:
    giant = cand(
        1,
        title="Judul " * 500,
        summary=("Kata & kata < " * 2000),
        url="https://x.example/" + "a" * 3000,
    )
    others = [cand(n, url="https://y.example/" + "b" * 2000, story_id=7) for n in (2, 3, 4)]
    found = items([giant, *others])
    for item in found:
        text = render_item(1, item, STYLE, UNTIL)
        assert utf16_len(text) <= MAX_ITEM
        assert check(text) is None
    page = render_page(found, STYLE, WINDOW, 8, 0)
    assert page is not None and utf16_len(page.text) <= MAX_MESSAGE


def test_buttons_mute_each_source_once_and_page_through() -> None:
    found = items([cand(n) for n in range(20)], limit=20)
    first = render_page(found, STYLE, WINDOW, 8, 0)
    assert first is not None and first.count == 3
    labels = [b.text for row in first.buttons for b in row]
    mutes = [b for row in first.buttons for b in row if b.data and b.data.startswith("mu:")]
    assert len({b.data for b in mutes}) == len(mutes) == 5  # five sources on the page
    nav = first.buttons[-1]
    assert [b.text for b in nav] == ["1/3", "Berikutnya ▶"]
    nxt = callbacks.decode(nav[-1].data)
    assert nxt == callbacks.DigestPage(WINDOW.since, WINDOW.until, 1)
    middle = render_page(found, STYLE, WINDOW, 8, 1)
    assert middle is not None
    assert [b.text for b in middle.buttons[-1]] == ["◀ Sebelumnya", "2/3", "Berikutnya ▶"]
    assert all(len((b.data or "").encode()) <= 64 for row in first.buttons for b in row)
    assert "🔇 Sumber 1" in labels


def test_one_page_digest_has_no_page_buttons() -> None:
    page = render_page(items([cand(1), cand(2)]), STYLE, WINDOW, 8, 0)
    assert page is not None and page.count == 1
    assert all(not (b.data or "").startswith("dp:") for row in page.buttons for b in row)
    assert "(1/" not in page.text


def test_header_is_in_the_chats_zone_and_language() -> None:
    page = render_page(items([cand(1)]), STYLE, WINDOW, 8, 0)
    assert page is not None
    first_line = html.unescape(page.text.splitlines()[0])
    assert "Selasa, 10 Maret 2026" in first_line and "06:00" in first_line
    assert "1 berita" in first_line
