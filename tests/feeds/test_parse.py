"""Parsing every feed format and every malformed document into the one item shape."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kabar.errors import ParseError
from kabar.feeds.model import MAX_ITEMS, TITLE_MAX
from kabar.feeds.parse import parse_feed
from tests.feeds import samples

FETCHED = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
URL = "https://news.example.com/feed.xml"


def parse(body: str | bytes, content_type: str | None = None, url: str = URL):  # type: ignore[no-untyped-def]
    data = body.encode() if isinstance(body, str) else body
    headers = {"content-type": content_type} if content_type else {}
    return parse_feed(data, url=url, fetched_at=FETCHED, headers=headers)


FORMATS = {
    "rss20": samples.rss20,
    "rss10": samples.rss10,
    "atom10": samples.atom10,
    "atom03": samples.atom03,
    "json11": samples.json_feed,
    "json10": lambda e: samples.json_feed(e, version="1"),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_gives_the_same_items(name: str) -> None:
    entries = samples.items(3)
    parsed = parse(FORMATS[name](entries))
    assert parsed.format.startswith(name[:4])
    assert [i.title for i in parsed.items] == [e.title for e in entries]
    assert [i.url for i in parsed.items] == [e.link for e in entries]
    assert [i.published_at for i in parsed.items] == [e.date for e in entries]
    for item in parsed.items:
        assert item.text.startswith("Paragraf")
        assert "<p>" not in item.text
        assert item.published_at.tzinfo is not None
    assert not parsed.warnings


@pytest.mark.parametrize("builder", [samples.rss091, samples.rss092])
def test_old_rss_versions_parse(builder) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(builder(samples.items(2)))
    assert parsed.format in ("rss091n", "rss091u", "rss092")
    assert [i.url for i in parsed.items] == [
        "https://news.example.com/berita/0",
        "https://news.example.com/berita/1",
    ]
    assert all(i.published_at == FETCHED and not i.dated for i in parsed.items)


def test_feed_metadata_and_language() -> None:
    parsed = parse(samples.rss20(samples.items(1), language="id-ID", extra_channel="<ttl>90</ttl>"))
    assert parsed.title == "Kabar Test"
    assert parsed.site_url == "https://news.example.com/"
    assert parsed.language == "id"
    assert parsed.ttl_minutes == 90
    assert not parsed.language_suspect
    assert parse(samples.rss20(samples.items(1), language="en-US")).language_suspect
    assert parse(samples.rss20(samples.items(1), language="in")).language == "id"


def test_windows_1252_declared_utf8_is_read_right_with_a_warning() -> None:
    doc = samples.rss20(samples.items(1, text="Caf\u00e9 \u2013 r\u00e9sum\u00e9 na\u00efve"))
    data = doc.encode("windows-1252")
    parsed = parse(data, "application/rss+xml; charset=utf-8")
    assert parsed.items[0].text == "Caf\u00e9 \u2013 r\u00e9sum\u00e9 na\u00efve"
    assert any("windows-1252" in w for w in parsed.warnings)


def test_utf8_declared_windows_1252_is_read_right_with_a_warning() -> None:
    doc = samples.rss20(
        samples.items(1, text="Jalan-jalan ke Caf\u00e9 \u2013 \U0001f600"), encoding="windows-1252"
    )
    parsed = parse(doc.encode("utf-8"), "text/xml; charset=windows-1252")
    assert parsed.items[0].text == "Jalan-jalan ke Caf\u00e9 \u2013 \U0001f600"
    assert any("UTF-8" in w for w in parsed.warnings)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_byte_order_marks(bom: bytes) -> None:
    doc = samples.rss20(samples.items(2, text="Berita \u00e9"), encoding="utf-8")
    codec = {
        codecs.BOM_UTF8: "utf-8",
        codecs.BOM_UTF16_LE: "utf-16-le",
        codecs.BOM_UTF16_BE: "utf-16-be",
    }[bom]
    parsed = parse(bom + doc.encode(codec))
    assert [i.text for i in parsed.items] == ["Berita \u00e9", "Berita \u00e9"]


def test_bom_before_json_feed() -> None:
    parsed = parse(codecs.BOM_UTF8 + samples.json_feed(samples.items(1)).encode())
    assert len(parsed.items) == 1


def test_an_html_page_is_a_parse_error() -> None:
    page = "<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"
    with pytest.raises(ParseError, match="HTML page"):
        parse(page, "text/html")


@pytest.mark.parametrize("body", [b"", b"   \n", b"just some text", b"{}", b"[1, 2]", b"{nope"])
def test_bodies_that_are_not_feeds(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body)


def test_truncated_xml_keeps_what_parsed_and_warns() -> None:
    doc = samples.rss20(samples.items(5))
    cut = doc[: doc.index("<item>", doc.index("berita-3")) + 30]
    parsed = parse(cut)
    assert [i.guid for i in parsed.items][:4] == ["berita-0", "berita-1", "berita-2", "berita-3"]
    assert any("not well-formed" in w for w in parsed.warnings)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://x.example/1</link></item></channel></rss>"""


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(ParseError, match="entit"):
        parse(BILLION_LAUGHS)


def test_xxe_is_refused_and_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    for declaration in (
        f'<!ENTITY xxe SYSTEM "file://{secret}">',
        f'<!ENTITY xxe PUBLIC "-//x//y" "file://{secret}">',
        f'<!ENTITY % p SYSTEM "file://{secret}"> %p;',
    ):
        doc = (
            f'<?xml version="1.0"?><!DOCTYPE rss [ {declaration} ]>'
            '<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>'
            "<link>https://x.example/1</link><description>&xxe;</description></item>"
            "</channel></rss>"
        )
        with pytest.raises(ParseError, match="entit"):
            parse(doc)


def test_plain_character_entities_are_fine() -> None:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY nbsp "&#160;"> ]><rss version="2.0">'
        "<channel><title>t</title><item><title>A&nbsp;B</title><link>https://x.example/1</link>"
        "</item></channel></rss>"
    )
    assert parse(doc).items[0].title == "A B"


def test_a_url_or_a_path_given_as_bytes_is_never_opened(tmp_path: Path) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(samples.rss20(samples.items(2)))
    for body in (str(feed_file).encode(), feed_file.as_uri().encode(), b"http://127.0.0.1:9/x"):
        with pytest.raises(ParseError):
            parse(body)


def test_empty_feed_is_not_an_error() -> None:
    parsed = parse(samples.rss20([]))
    assert parsed.items == []
    assert parsed.title == "Kabar Test"
    assert not parsed.warnings
    assert parse(samples.json_feed([])).items == []


def test_duplicate_guids_keep_the_first() -> None:
    entries = samples.items(3)
    entries[2].guid = entries[0].guid
    parsed = parse(samples.rss20(entries))
    assert [i.guid for i in parsed.items] == ["berita-0", "berita-1"]
    assert any("repeating a GUID" in w for w in parsed.warnings)


def test_missing_future_and_odd_dates() -> None:
    entries = samples.items(4)
    entries[0].date = None
    entries[1].date = FETCHED + timedelta(days=400)
    doc = samples.rss20(entries)
    doc = doc.replace(
        '<guid isPermaLink="false">berita-2</guid>',
        '<guid isPermaLink="false">berita-2</guid><dc:date>2024-11-20T09:30:00+07:00</dc:date>',
    ).replace(
        '<rss version="2.0">', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    )
    doc = doc.replace(samples._rfc822(entries[2].date), "")
    doc = doc.replace(
        samples._rfc822(entries[3].date), "<pubDate>Wed, 20 Nov 2024 08:00:00 WIB</pubDate>"
    )
    items = parse(doc).items
    assert items[0].published_at == FETCHED and not items[0].dated
    assert items[1].published_at == FETCHED  # clamped, not 400 days ahead
    assert items[2].published_at == datetime(2024, 11, 20, 2, 30, tzinfo=UTC)
    assert items[3].published_at.tzinfo is not None


def test_json_feed_dates_in_rfc3339() -> None:
    entries = samples.items(1)
    doc = samples.json_feed(entries).replace(entries[0].date.isoformat(), "2024-11-20T10:00:00Z")  # type: ignore[union-attr]
    assert parse(doc).items[0].published_at == datetime(2024, 11, 20, 10, tzinfo=UTC)


def test_a_100kb_title_is_cut() -> None:
    entries = samples.items(1)
    entries[0].title = "Judul " + "panjang " * 13_000
    parsed = parse(samples.rss20(entries))
    assert len(parsed.items[0].title) <= TITLE_MAX
    assert parsed.items[0].title.endswith("…")


def test_emoji_and_right_to_left_text_survive() -> None:
    title = (
        "\U0001f4f0 Berita \u0627\u0644\u0623\u062e\u0628\u0627\u0631 "
        "\u05d7\u05d3\u05e9\u05d5\u05ea \U0001f1ee\U0001f1e9"
    )
    entries = samples.items(1, text="<p>\u0645\u0631\u062d\u0628\u0627 \U0001f600 dunia</p>")
    entries[0].title = title
    for doc in (samples.rss20(entries), samples.atom10(entries), samples.json_feed(entries)):
        item = parse(doc).items[0]
        assert item.title == title
        assert item.text == "\u0645\u0631\u062d\u0628\u0627 \U0001f600 dunia"


def test_html_in_titles_becomes_text() -> None:
    entries = samples.items(1)
    entries[0].title = "<b>Gempa</b> &amp; <i>tsunami</i> di <script>x()</script>Palu"
    item = parse(samples.rss20(entries)).items[0]
    assert item.title == "Gempa & tsunami di Palu"


def test_relative_links_resolve_against_the_final_url() -> None:
    entries = samples.items(2)
    entries[0].link = "/berita/relatif"
    entries[1].link = "artikel/2.html"
    items = parse(samples.rss20(entries), url="https://moved.example.org/rss/index.xml").items
    assert items[0].url == "https://moved.example.org/berita/relatif"
    assert items[1].url == "https://moved.example.org/rss/artikel/2.html"
    json_items = parse(samples.json_feed(entries), url="https://j.example.org/a/feed.json").items
    assert json_items[0].url == "https://j.example.org/berita/relatif"


def test_items_without_link_or_title_are_skipped() -> None:
    doc = samples.rss20(samples.items(2)).replace(
        "</channel>", "<item><description>orphan text</description></item></channel>"
    )
    parsed = parse(doc)
    assert len(parsed.items) == 2
    assert any("neither link nor title" in w for w in parsed.warnings)


def test_title_only_and_link_only_items_are_kept() -> None:
    doc = samples.rss20([]).replace(
        "</channel>",
        "<item><title>Hanya judul</title></item>"
        "<item><link>https://x.example/only-link</link>"
        "<description>Isi berita singkat.</description></item>"
        "</channel>",
    )
    items = parse(doc).items
    assert items[0].title == "Hanya judul" and items[0].url is None
    assert items[0].guid.startswith("title:")
    assert items[1].url == "https://x.example/only-link" and items[1].title == "Isi berita singkat."


def test_dangerous_links_are_dropped_and_control_characters_removed() -> None:
    entries = samples.items(1)
    entries[0].link = "javascript:alert(1)"
    entries[0].title = "Judul\x00 dengan\x07 kontrol"
    item = parse(samples.rss20(entries).replace("\x00", "&#0;")).items[0]
    assert item.url is None
    assert "\x00" not in item.title and "\x07" not in item.title


def test_long_guids_are_hashed_to_fit() -> None:
    entries = samples.items(1)
    entries[0].guid = "g" * 5000
    guid = parse(samples.rss20(entries)).items[0].guid
    assert guid.startswith("sha256:") and len(guid) < 100


def test_images_from_media_enclosures_and_content() -> None:
    doc = samples.rss20(samples.items(3)).replace(
        '<rss version="2.0">', '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
    )
    doc = doc.replace(
        '<guid isPermaLink="false">berita-0</guid>',
        '<guid isPermaLink="false">berita-0</guid><media:content url="/img/a.jpg" medium="image"/>',
    )
    doc = doc.replace(
        '<guid isPermaLink="false">berita-1</guid>',
        '<guid isPermaLink="false">berita-1</guid>'
        '<enclosure url="https://cdn.example/b.png" type="image/png" length="1"/>',
    )
    doc = doc.replace("Paragraf 2.", '<img src="c.webp"> Paragraf 2.')
    items = parse(doc).items
    assert items[0].image_url == "https://news.example.com/img/a.jpg"
    assert items[1].image_url == "https://cdn.example/b.png"
    assert items[2].image_url == "https://news.example.com/berita/c.webp"


def test_item_count_is_capped() -> None:
    parsed = parse(samples.json_feed(samples.items(MAX_ITEMS + 5, text="x")))
    assert len(parsed.items) == MAX_ITEMS
    assert any("kept the first" in w for w in parsed.warnings)


def test_json_that_is_not_a_json_feed() -> None:
    with pytest.raises(ParseError, match="not a JSON Feed"):
        parse('{"version": "2.0", "items": []}', "application/json")
    with pytest.raises(ParseError, match="items"):
        parse('{"version": "https://jsonfeed.org/version/1.1", "items": 3}')
    with pytest.raises(ParseError, match="invalid JSON"):
        parse("{" * 100_000 + "}" * 100_000, "application/feed+json")
