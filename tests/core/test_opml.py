"""OPML 1.0/2.0 in and out; an invalid document is a clear error."""

from __future__ import annotations

import pytest

from kabar.errors import OPMLError
from kabar.feeds.opml import OutlineFeed, parse_opml, render_opml

OPML1 = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>x</title></head><body>
  <outline text="Antara" type="rss" xmlUrl="https://www.antaranews.com/rss/terkini.xml"/>
  <outline text="Nasional">
    <outline text="Tempo" title="Tempo.co" xmlUrl="https://rss.tempo.co/nasional" htmlUrl="https://tempo.co"/>
  </outline>
</body></opml>"""


def test_opml1_with_folders_as_topics() -> None:
    feeds = parse_opml(OPML1)
    assert [f.url for f in feeds] == [
        "https://www.antaranews.com/rss/terkini.xml",
        "https://rss.tempo.co/nasional",
    ]
    assert feeds[0].topic is None
    assert (feeds[1].title, feeds[1].topic, feeds[1].site_url) == (
        "Tempo.co",
        "Nasional",
        "https://tempo.co",
    )


def test_round_trip_through_opml2() -> None:
    feeds = [
        OutlineFeed(url="https://a.example/rss", title="A & B", topic="bisnis", language="id"),
        OutlineFeed(url="https://c.example/atom", title=None, topic=None, region="sulsel"),
    ]
    data = render_opml(feeds)
    assert b'version="2.0"' in data
    back = parse_opml(data)
    assert [(f.url, f.topic, f.language, f.region) for f in back] == [
        ("https://a.example/rss", "bisnis", "id", None),
        ("https://c.example/atom", None, None, "sulsel"),
    ]
    assert back[0].title == "A & B"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not valid XML"),
        (b"<opml><body><outline xmlUrl='https://x/'>", "not valid XML"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML document"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b"<opml><body><outline xmlUrl='file:///etc/passwd'/></body></opml>", "http or https"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>',
            "entities and DTDs are not allowed",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<opml><body><outline text='&e;' xmlUrl='https://x/'/></body></opml>",
            "entities and DTDs are not allowed",
        ),
    ],
)
def test_invalid_opml_is_a_clear_error(data: bytes, says: str) -> None:
    with pytest.raises(OPMLError, match=says):
        parse_opml(data)
