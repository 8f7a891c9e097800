"""The bundled source catalog is a valid OPML of distinct public https feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from kabar.feeds.opml import parse_opml
from kabar.sources import catalog_opml


def test_catalog_is_valid_and_grouped() -> None:
    feeds = parse_opml(catalog_opml())
    assert len(feeds) >= 40
    assert len({f.url for f in feeds}) == len(feeds)
    assert all(urlsplit(f.url).scheme == "https" for f in feeds)
    assert all(f.topic and f.title and f.language in ("id", "en") for f in feeds)
    topics = {f.topic for f in feeds}
    assert {"nasional", "daerah", "internasional"} <= topics
    regional = [f for f in feeds if f.topic == "daerah"]
    assert all(f.region for f in regional) and len({f.region for f in regional}) >= 10
    assert any(f.language == "en" for f in feeds)
