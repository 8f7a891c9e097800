"""OPML 1.0/2.0: read a subscription list into plain records, and write one back."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only to build output; parsing goes through defusedxml
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kabar.errors import OPMLError

MAX_OPML_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class OutlineFeed:
    """One feed from an OPML file, with the folder it sat in as its topic."""

    url: str
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    topic: str | None = None
    region: str | None = None


def parse_opml(data: bytes) -> list[OutlineFeed]:
    """Every feed outline in `data`; raises OPMLError and returns nothing if any part is invalid."""
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"OPML file is larger than {MAX_OPML_BYTES // 1_000_000} MB")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OPMLError(
            f"OPML refused: {type(exc).__name__} (entities and DTDs are not allowed)"
        ) from None
    except ET.ParseError as exc:
        raise OPMLError(f"not valid XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"not an OPML document: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise OPMLError("OPML has no <body>")
    feeds: list[OutlineFeed] = []
    _walk(body, None, feeds)
    urls = [f.url for f in feeds]
    if len(set(urls)) != len(urls):
        feeds = list({f.url: f for f in reversed(feeds)}.values())[::-1]
    return feeds


def _walk(node: ET.Element, topic: str | None, out: list[OutlineFeed]) -> None:
    for outline in node.findall("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        label = (outline.get("title") or outline.get("text") or "").strip() or None
        if url:
            if not url.lower().startswith(("http://", "https://")):
                raise OPMLError(f"feed URL must be http or https: {url[:200]!r}")
            out.append(
                OutlineFeed(
                    url=url,
                    title=label,
                    site_url=(outline.get("htmlUrl") or None),
                    language=(outline.get("language") or None),
                    topic=(outline.get("category") or topic),
                    region=(outline.get("region") or None),
                )
            )
        else:
            # An outline without xmlUrl is a folder; its name becomes the topic of its children.
            _walk(outline, label or topic, out)


def render_opml(feeds: list[OutlineFeed], title: str = "Kabar sources") -> bytes:
    """An OPML 2.0 document with one folder per topic."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ET.SubElement(root, "body")
    folders: dict[str | None, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.topic:
            if feed.topic not in folders:
                folders[feed.topic] = ET.SubElement(
                    body, "outline", text=feed.topic, title=feed.topic
                )
            parent = folders[feed.topic]
        attrs = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        if feed.language:
            attrs["language"] = feed.language
        if feed.region:
            attrs["region"] = feed.region
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    body_xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body_xml
