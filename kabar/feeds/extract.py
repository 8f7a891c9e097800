"""Main text and metadata of an article page, with trafilatura (runs in the process pool)."""

from __future__ import annotations

import logging
from configparser import ConfigParser
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from kabar.feeds.dates import parse_date
from kabar.feeds.fields import absolute_url
from kabar.feeds.htmltext import inline_text
from kabar.feeds.model import AUTHOR_MAX

MAX_TREE_SIZE = 200_000  # elements; a page larger than this is not an article
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageText:
    """What a page adds to a teaser: the full text and the metadata the page declares."""

    text: str
    author: str | None = None
    published_at: datetime | None = None
    image_url: str | None = None
    canonical_url: str | None = None


@cache
def _config() -> ConfigParser:
    from trafilatura.settings import use_config

    config: ConfigParser = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return config


def extract_page(content: bytes, url: str) -> PageText | None:
    """The article in an HTML page, or None when no main text is found."""
    import trafilatura  # imported here: heavy, and only pool workers need it

    try:
        document = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            config=_config(),
        )
    except Exception:  # trafilatura raises assorted lxml and value errors on hostile HTML
        log.debug("extraction failed for %s", url, exc_info=True)
        return None
    if document is None or isinstance(document, dict) or not document.text:
        return None
    author = inline_text(document.author, AUTHOR_MAX) if document.author else None
    return PageText(
        text=str(document.text).strip(),
        author=author or None,
        published_at=parse_date(document.date) if document.date else None,
        image_url=absolute_url(document.image, url) if document.image else None,
        canonical_url=absolute_url(document.url, url) if document.url else None,
    )
