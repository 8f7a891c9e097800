"""Stop words per language from the stopwords-iso collection (shipped offline in the package)."""

from __future__ import annotations

from functools import cache

import stopwordsiso


@cache
def stop_words(language: str | None) -> frozenset[str]:
    """Lower-case stop words of `language`; empty for a language the collection lacks."""
    code = (language or "").lower()
    if not code or not stopwordsiso.has_lang(code):
        return frozenset()
    return frozenset(w.lower() for w in stopwordsiso.stopwords(code))
