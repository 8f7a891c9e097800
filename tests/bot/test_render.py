"""Article HTML is escaped, linked only to web addresses, and packed within 4096 characters."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from kabar.render import ArticleView, article_html, pack, plain, safe_url, visible_len, when


def view(
    title: str = "Judul", summary: str = "Satu.\nDua.\nTiga.", url: str | None = "https://a.id/x"
) -> ArticleView:
    return ArticleView(
        id=1,
        feed_id=1,
        title=title,
        url=url,
        source="Kompas <i>",
        published_at=datetime(2026, 11, 29, 7, 5, tzinfo=UTC),
        summary=summary,
    )


def test_article_is_escaped_and_linked() -> None:
    html = article_html(view(title="<script>&"), language="id", zone="Asia/Jakarta", sentences=2)
    assert "&lt;script&gt;&amp;" in html
    assert '<a href="https://a.id/x">' in html
    assert "Kompas &lt;i&gt;" in html
    assert "Satu. Dua." in html and "Tiga" not in html
    assert "14:05" in html  # 07:05 UTC is 14:05 WIB


def test_unsafe_links_are_dropped() -> None:
    for bad in ("javascript:alert(1)", "tg://resolve?domain=x", "ftp://x/y", "http://", ""):
        assert safe_url(bad) is None
        assert "<a " not in article_html(view(url=bad), language="en", zone="UTC")
    quoted = article_html(view(url='https://a.id/"onmouseover=x'), language="en", zone="UTC")
    assert 'href="https://a.id/&quot;onmouseover=x"' in quoted


def test_when_follows_language_and_zone() -> None:
    moment = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
    assert when(moment, "en", "Asia/Jayapura") == "1 May 09:30"
    assert when(moment, "id", "Asia/Jayapura") == "1 Mei 09:30"


def test_a_huge_article_is_cut_to_fit() -> None:
    html = article_html(view(title="&" * 5000, summary="<>" * 20000), language="id", zone="UTC")
    assert visible_len(html) <= 3600


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=3000), min_size=1, max_size=12))
def test_pack_fits_and_never_splits_an_item(summaries: list[str]) -> None:
    items = [
        article_html(view(title=f"T{i}", summary=s), language="id", zone="UTC")
        for i, s in enumerate(summaries)
    ]
    messages = pack(items, header="<b>Header</b>", footer="footer")
    assert all(0 < visible_len(m) <= 4096 for m in messages)
    joined = "\n\n".join(messages)
    for item in items:
        assert item in joined  # every item whole, in order
    assert messages[0].startswith("<b>Header</b>") and messages[-1].endswith("footer")


def test_pack_counts_utf16_units() -> None:
    emoji = "😀" * 1500  # 3000 UTF-16 units in 1500 code points
    messages = pack([emoji, emoji])
    assert len(messages) == 2


def test_plain_strips_tags() -> None:
    assert plain("<b>a &amp; b</b>") == "a & b"
