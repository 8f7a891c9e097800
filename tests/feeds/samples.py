"""Feed documents in every format, built from one list of items so results can be compared."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE_DATE = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)
LOREM = (
    "Pemerintah Kabupaten Jeneponto menggelar rapat koordinasi bersama aparat keamanan "
    "menjelang pemungutan suara pilkada serentak. Bupati meminta seluruh camat memastikan "
    "logistik pemilu tiba tepat waktu di setiap tempat pemungutan suara. "
)


@dataclass
class Item:
    guid: str
    title: str
    link: str
    text: str
    date: datetime | None


def items(n: int = 3, *, prefix: str = "berita", text: str | None = None) -> list[Item]:
    return [
        Item(
            guid=f"{prefix}-{i}",
            title=f"Judul {prefix} nomor {i}",
            link=f"https://news.example.com/{prefix}/{i}",
            text=text if text is not None else f"<p>Paragraf {i}. {LOREM * 4}</p>",
            date=BASE_DATE - timedelta(hours=i),
        )
        for i in range(n)
    ]


def _rfc822(d: datetime | None) -> str:
    return f"<pubDate>{format_datetime(d)}</pubDate>" if d else ""


def rss20(
    entries: list[Item],
    *,
    language: str | None = "id",
    title: str = "Kabar Test",
    extra_channel: str = "",
    encoding: str = "utf-8",
) -> str:
    lang = f"<language>{language}</language>" if language else ""
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f'<guid isPermaLink="false">{escape(i.guid)}</guid>{_rfc822(i.date)}'
        f"<description><![CDATA[{i.text}]]></description></item>"
        for i in entries
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.com/</link>{lang}"
        f"{extra_channel}{body}</channel></rss>"
    )


def rss091(entries: list[Item]) -> str:
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<description>{escape(i.text)}</description></item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        '<rss version="0.91"><channel><title>Old</title><link>https://news.example.com/</link>'
        f"<description>d</description><language>id</language>{body}</channel></rss>"
    )


def rss092(entries: list[Item]) -> str:
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<description>{escape(i.text)}</description></item>"
        for i in entries
    )
    return (
        '<?xml version="1.0"?><rss version="0.92"><channel><title>T</title>'
        f"<link>https://news.example.com/</link><description>d</description>{body}</channel></rss>"
    )


def rss10(entries: list[Item]) -> str:
    body = "".join(
        f'<item rdf:about="{escape(i.link)}"><title>{escape(i.title)}</title>'
        f"<link>{escape(i.link)}</link><description>{escape(i.text)}</description>"
        f"{f'<dc:date>{i.date.isoformat()}</dc:date>' if i.date else ''}</item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://news.example.com/"><title>RDF</title>'
        "<link>https://news.example.com/</link><description>d</description></channel>"
        f"{body}</rdf:RDF>"
    )


def atom10(entries: list[Item], *, lang: str | None = "id") -> str:
    xml_lang = f' xml:lang="{lang}"' if lang else ""
    body = "".join(
        f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        f'<link rel="alternate" href="{escape(i.link)}"/>'
        f"{f'<updated>{i.date.isoformat()}</updated>' if i.date else ''}"
        f'<content type="html">{escape(i.text)}</content>'
        "<author><name>Andi</name></author></entry>"
        for i in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
        f"{xml_lang}><title>Atom</title><id>urn:x</id><updated>2024-11-20T00:00:00Z</updated>"
        f'<link rel="alternate" href="https://news.example.com/"/>{body}</feed>'
    )


def atom03(entries: list[Item]) -> str:
    body = "".join(
        f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{escape(i.link)}"/>'
        f"{f'<issued>{i.date.isoformat()}</issued>' if i.date else ''}"
        f'<content type="text/html" mode="escaped">{escape(i.text)}</content></entry>'
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom 0.3</title>'
        f'<link rel="alternate" type="text/html" href="https://news.example.com/"/>{body}</feed>'
    )


def json_feed(entries: list[Item], *, version: str = "1.1", language: str | None = "id") -> str:
    doc: dict[str, object] = {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "JSON",
        "home_page_url": "https://news.example.com/",
        "items": [
            {
                "id": i.guid,
                "url": i.link,
                "title": i.title,
                "content_html": i.text,
                **({"date_published": i.date.isoformat()} if i.date else {}),
                **(
                    {"authors": [{"name": "Andi"}]}
                    if version == "1.1"
                    else {"author": {"name": "Andi"}}
                ),
            }
            for i in entries
        ],
    }
    if language and version == "1.1":
        doc["language"] = language
    return json.dumps(doc)
