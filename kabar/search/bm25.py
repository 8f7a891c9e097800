"""BM25 from analyzed field texts: how the SQLite engine ranks the matches FTS5 found.

FTS5's own bm25() counts, on every query, every document that holds each phrase (its IDF); for
a word found in most of a million articles that count is most of the query's time. Ranking only
the newest matches needs just their term counts, which come straight from their analyzed texts
(space-separated terms, exactly FTS5's tokens), and IDF from a bounded recent population.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

from kabar.search.analyze import phrase_variants, variants
from kabar.search.query import Clause, Kind

K1 = 1.2  # term-frequency saturation, as FTS5 and Lucene
B = 0.75  # length normalization, as FTS5 and Lucene
MIN_IDF = 1e-6  # a clause in most documents still counts a little, as in FTS5

Needles = tuple[str, ...]


def pad(text: str) -> str:
    """A field's analyzed text as `count` takes it: a space before and after (the engine pads
    in SQL, so no Python copy of each text is made)."""
    return f" {text} "


def needles(clause: Clause, language: str | None) -> Needles:
    """The substrings of a padded field text that are the clause's matches.

    A word is " term ", a phrase " a b ", a prefix " pre": the analyzer never puts a space
    inside a term, so these match whole tokens only (see `_column_occurrences` for neighbours).
    """
    found: list[str] = []
    for item in clause.items:
        if item.kind is Kind.PREFIX:
            found += [f" {v}" for v in variants(item.terms[0], language)]
        elif item.kind is Kind.PHRASE:
            found += [f" {' '.join(seq)} " for seq in phrase_variants(item.terms, language)]
        else:
            found += [f" {v} " for v in variants(item.terms[0], language)]
    return _uncovered(found)


def _uncovered(found: list[str]) -> Needles:
    """Without repeats, nor needles that a prefix needle already counts ("mak" covers "makan")."""
    unique = list(dict.fromkeys(found))
    prefixes = [n for n in unique if not n.endswith(" ")]
    return tuple(n for n in unique if not any(p != n and n.startswith(p) for p in prefixes))


@dataclass(frozen=True, slots=True)
class Counts:
    """Each document's length, and per clause each document's field-weighted matches."""

    lengths: list[int]
    hits: list[list[float]]  # [clause][document]


def count(
    documents: Sequence[Sequence[str | None]],
    clauses: Sequence[Needles],
    weights: Sequence[float],
) -> Counts:
    """Count each clause's matches in each padded field of each document, weighted by field.

    Works a column at a time with `map`, so the scanning runs in C and a window of hundreds of
    documents costs a few Python steps per needle, not per document. Length is measured in
    characters, a close stand-in for terms (only lengths relative to the other documents count)
    that costs nothing to read.
    """
    if not documents:
        return Counts([], [[] for _ in clauses])
    columns = [[text or "" for text in column] for column in zip(*documents, strict=True)]
    # The padding adds two characters to every field alike: lengths compare all the same.
    lengths = [sum(map(len, fields)) for fields in zip(*columns, strict=True)]
    hits = []
    for clause in clauses:
        total = [0.0] * len(lengths)
        for column, weight in zip(columns, weights, strict=True):
            for needle in clause:
                found = _column_occurrences(column, needle)
                total = [t + weight * f for t, f in zip(total, found, strict=True)]
        hits.append(total)
    return Counts(lengths, hits)


def _column_occurrences(column: list[str], needle: str) -> list[int]:
    """How often `needle` occurs in each text, counting neighbours that share a space.

    `str.count` skips the second of two equal neighbours (" anak " in " anak anak ", which is
    how the analyzer sees Indonesian reduplication, "anak-anak"): only a text holding such a
    pair gets an overlapping count.
    """
    found = list(map(str.count, column, repeat(needle)))
    if needle[-1] == " ":  # a word or phrase (a prefix consumes no space after it)
        pair = needle + needle[1:]
        for i, n in enumerate(found):
            if n and pair in column[i]:
                found[i] = len(_overlapping(needle).findall(column[i]))
    return found


@lru_cache(maxsize=1024)
def _overlapping(needle: str) -> re.Pattern[str]:
    return re.compile(f"(?={re.escape(needle)})")


def idf(documents: int, holding: int) -> float:
    """BM25's inverse document frequency of a clause `holding` of `documents` documents hold."""
    return max(math.log((documents - holding + 0.5) / (holding + 0.5)), MIN_IDF)


def scores(counted: Counts, weights: Sequence[float]) -> list[float]:
    """BM25 of each document, with `weights` (each clause's IDF) and the mean length of these
    documents as the average: only their order among themselves matters."""
    lengths = counted.lengths
    if not lengths:
        return []
    average = max(sum(lengths) / len(lengths), 1.0)
    norms = [K1 * (1.0 - B + B * length / average) for length in lengths]
    out = [0.0] * len(lengths)
    for weight, hits in zip(weights, counted.hits, strict=True):
        out = [
            s + weight * tf * (K1 + 1.0) / (tf + norm)
            for s, tf, norm in zip(out, hits, norms, strict=True)
        ]
    return out
