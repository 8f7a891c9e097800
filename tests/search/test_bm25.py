"""BM25 from analyzed texts: the needles count tokens exactly, and the scores have BM25's shape."""

from __future__ import annotations

import math

import pytest

from kabar.search import bm25
from kabar.search.query import parse

WEIGHTS = (10.0, 4.0, 1.0)


def needles(query: str, language: str | None = "id") -> list[bm25.Needles]:
    return [bm25.needles(c, language) for c in parse(query).positive]


def padded(*fields: str) -> tuple[str, ...]:
    return tuple(bm25.pad(f) for f in fields)


def hits(documents: list[tuple[str, ...]], query: str) -> list[list[float]]:
    return bm25.count(documents, needles(query), WEIGHTS).hits


def test_needles_are_whole_terms_phrases_and_token_starts() -> None:
    assert needles("banjir") == [(" banjir ",)]
    assert needles('"harga beras"') == [(" harga beras ",)]
    assert needles("presid*") == [(" presid",)]
    assert needles("banjir OR longsor") == [(" banjir ", " longsor ")]
    # Without a language a word may meet a document under each analysis: one needle per form.
    assert set(needles("pemerintah", None)[0]) == {" pemerintah ", " perintah "}


def test_a_prefix_needle_covers_the_longer_needles_it_starts() -> None:
    assert needles("mak* OR makanan OR makan*") == [(" mak",)]


def test_counts_whole_tokens_per_field_with_weights() -> None:
    documents = [
        padded("beras beras", "harga", "berasnya beras harga"),
        padded("", "", "lain"),
    ]
    counted = bm25.count(documents, needles("beras harga"), WEIGHTS)
    assert counted.hits == [[2 * 10 + 1 * 1, 0.0], [1 * 4 + 1 * 1, 0.0]]
    assert counted.lengths[0] > counted.lengths[1]


def test_phrases_count_only_consecutive_terms_and_prefixes_only_token_starts() -> None:
    assert hits([padded("harga beras naik harga cabai beras", "", "")], '"harga beras"') == [[10.0]]
    assert hits([padded("berasnya pemberasan beras", "", "")], "beras*") == [[20.0]]


@pytest.mark.parametrize("run", range(1, 6))
def test_runs_of_equal_neighbours_count_each_one(run: int) -> None:
    """Indonesian reduplication ("gempa-gempa") is analyzed as neighbours "gempa gempa"."""
    words = padded(" ".join(["gempa"] * run) + " lagi gempa", "", "")
    assert hits([words], "gempa") == [[10.0 * (run + 1)]]
    phrases = padded(" ".join(["harga beras"] * run) + " beras", "", "")
    assert hits([phrases], '"harga beras"') == [[10.0 * run]]


def test_scores_favour_more_matches_with_saturation_and_shorter_documents() -> None:
    counted = bm25.Counts([10, 10, 10, 40], [[1.0, 2.0, 3.0, 1.0]])
    one, two, three, long_one = bm25.scores(counted, [1.0])
    assert three > two > one > long_one
    assert two - one > three - two  # saturation: each more counts less


def test_the_rarer_clause_weighs_more() -> None:
    common, rare = bm25.idf(1000, 900), bm25.idf(1000, 10)
    assert rare > common > 0
    assert math.isclose(common, bm25.MIN_IDF)  # in most documents: almost nothing
    weights = [bm25.idf(1000, 400), bm25.idf(1000, 10)]
    common_heavy, rare_heavy = bm25.scores(bm25.Counts([10, 10], [[3.0, 1.0], [1.0, 3.0]]), weights)
    assert rare_heavy > common_heavy


def test_no_documents_no_scores() -> None:
    counted = bm25.count([], needles("banjir"), WEIGHTS)
    assert counted.lengths == []
    assert bm25.scores(counted, [1.0]) == []
