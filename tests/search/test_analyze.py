"""The analyzer: folding, tokens with spans, stemming per language and query variants."""

from __future__ import annotations

from kabar.search.analyze import phrase_variants, terms, tokens, variants, words


def test_folds_case_and_accents_and_splits_on_punctuation() -> None:
    assert words("Café ÉTÉ, naïve—Straße!") == ["cafe", "ete", "naive", "strasse"]


def test_spans_point_into_the_original_text() -> None:
    text = "  Jokowi: «Pemilu» 2024 "
    assert [text[t.start : t.end] for t in tokens(text)] == ["Jokowi", "Pemilu", "2024"]


def test_decomposed_accents_stay_inside_the_word() -> None:
    assert words("cafe\u0301s") == ["cafes"]


def test_documents_are_stemmed_in_their_language() -> None:
    assert terms("Pemerintahan memerintahkan", "id") == ["perintah", "perintah"]
    assert terms("Elections running", "en") == ["elect", "run"]
    assert terms("Elections running", None) == ["elections", "running"]
    assert terms("Elections running", "de") == ["elections", "running"]


def test_a_query_word_covers_every_analysis_and_only_one_when_the_language_is_known() -> None:
    assert set(variants("elections")) == {"elections", "elect"}
    assert variants("elections", "en") == ("elect",)
    assert variants("pemilihan", "id") == ("pilih",)


def test_phrase_variants_never_mix_languages() -> None:
    found = set(phrase_variants(("running", "elections")))
    assert found == {("running", "elections"), ("run", "elect")}


def test_junk_is_dropped() -> None:
    assert words("\x00\x01 🎉🎉 ^*() " + "x" * 65) == []
