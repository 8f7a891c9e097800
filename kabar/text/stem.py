"""Word stemmers per language (Snowball), shared by the summarizer and the search analyzer."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

import snowballstemmer

# ISO 639-1 code -> Snowball algorithm name, for every language Snowball ships offline.
SNOWBALL = {
    "id": "indonesian",
    "en": "english",
    "ms": "indonesian",  # Malay shares Indonesian's affixes
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
    "sv": "swedish",
    "no": "norwegian",
    "da": "danish",
    "fi": "finnish",
    "ru": "russian",
    "tr": "turkish",
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "el": "greek",
    "eo": "esperanto",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "lt": "lithuanian",
    "ne": "nepali",
    "pl": "polish",
    "ro": "romanian",
    "sr": "serbian",
    "ta": "tamil",
    "yi": "yiddish",
}


def identity(word: str) -> str:
    """The word itself: the stemmer for languages without one."""
    return word


@cache
def _available() -> frozenset[str]:
    # Older snowballstemmer releases lack some algorithms (Czech, Polish, Persian...).
    return frozenset(snowballstemmer.algorithms())


@cache
def stemmer(language: str | None) -> Callable[[str], str]:
    """A cached stemming function for `language`; identity for languages without a stemmer."""
    name = SNOWBALL.get((language or "").lower())
    if name is None or name not in _available():
        return identity
    algorithm = snowballstemmer.stemmer(name)
    # News vocabulary is Zipfian: a large cache turns most calls into a dict lookup.
    return lru_cache(maxsize=262_144)(algorithm.stemWord)


def has_stemmer(language: str | None) -> bool:
    """Whether `language` gets a real stemmer rather than identity."""
    return SNOWBALL.get((language or "").lower()) in _available()
