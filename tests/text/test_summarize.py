"""The summarizer: faithful sentences in document order, bounded on hostile input."""

from __future__ import annotations

import logging
import pickle
import time

import pytest

from kabar.text.summarize import Summary, normalize_language, summarize, supports

ARTICLE = "\n\n".join(
    [
        "MAKASSAR - Pemerintah Kota Makassar menaikkan anggaran perbaikan jalan menjadi "
        "Rp 150 miliar pada 2025, naik 3,5 persen dari tahun ini.",
        "Wali Kota Makassar mengatakan perbaikan jalan menjadi prioritas karena banyak warga "
        "mengeluhkan lubang di jalan utama kota.",
        '"Kami ingin semua jalan utama mulus sebelum musim hujan," katanya di Balai Kota, '
        "Senin (29/05/2024).",
        "Dinas Pekerjaan Umum akan memulai perbaikan di Jl. Sudirman dan Jl. Ahmad Yani.",
        "Anggaran perbaikan jalan itu disetujui DPRD Makassar dalam rapat paripurna pekan lalu.",
        "Warga menyambut baik rencana tersebut dan berharap pengerjaan tepat waktu.",
    ]
)


def test_summary_is_sentences_of_the_article_in_order() -> None:
    summary = summarize(ARTICLE, language="id")
    assert summary.language == "id"
    assert len(summary.sentences) == 3
    flat = " ".join(ARTICLE.split())
    positions = [flat.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert summary.sentences[0].startswith("Pemerintah Kota Makassar")  # dateline gone
    assert summary.text == "\n".join(summary.sentences)


def test_sentence_count_and_character_budget() -> None:
    assert len(summarize(ARTICLE, sentences=1).sentences) == 1
    assert summarize(ARTICLE, sentences=0).sentences == []
    budget = summarize(ARTICLE, sentences=3, max_chars=200)
    assert 0 < len(budget.text) <= 200
    tiny = summarize(ARTICLE, max_chars=40)
    assert len(tiny.text) <= 40
    assert tiny.text.endswith("…")


def test_language_is_detected_and_normalized() -> None:
    assert summarize(ARTICLE).language == "id"
    assert summarize(ARTICLE, language="auto").language == "id"
    assert summarize(ARTICLE, language="ID-id").language == "id"
    assert normalize_language("en_US") == "en"
    assert normalize_language("") is None


def test_english_is_first_class() -> None:
    text = (
        "LONDON - The Bank of England raised interest rates by a quarter point on Thursday, "
        "its first increase in a decade. Mr. Carney said inflation was too high. "
        "Markets had expected the move for weeks.\n\nThe pound rose 0.5 percent against the "
        "U.S. dollar after the announcement. Analysts said more increases could follow next "
        'year.\n\n"We will move gradually," Carney told reporters.'
    )
    summary = summarize(text)
    assert summary.language == "en"
    assert summary.sentences[0].startswith("The Bank of England raised")
    assert "Mr. Carney said inflation was too high." in summary.sentences or len(summary) == 3


def test_other_offline_languages_work() -> None:
    text = (
        "Die Regierung hat am Montag ein neues Gesetz beschlossen. Es soll die Mieten in den "
        "großen Städten begrenzen. Dr. Müller sagte, das Gesetz komme zu spät. "
        "Die Opposition kritisierte den Entwurf scharf. Im Herbst soll der Bundestag abstimmen."
    )
    summary = summarize(text, language="de", sentences=2)
    assert supports("de")
    assert len(summary.sentences) == 2
    assert all(s in text for s in summary.sentences)


def test_unknown_language_falls_back_to_lead_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="kabar.text.summarize"):
        summary = summarize(ARTICLE, language="xx", sentences=2)
    assert summary.language == "xx"
    assert summary.sentences == [
        "Pemerintah Kota Makassar menaikkan anggaran perbaikan jalan menjadi Rp 150 miliar pada "
        "2025, naik 3,5 persen dari tahun ini.",
        "Wali Kota Makassar mengatakan perbaikan jalan menjadi prioritas karena banyak warga "
        "mengeluhkan lubang di jalan utama kota.",
    ]
    assert "taking the lead sentences" in caplog.text


def test_repeated_sentences_are_not_both_chosen() -> None:
    sentence = "Harga beras di pasar tradisional Makassar naik tajam pekan ini."
    text = f"{sentence} {sentence} Pedagang mengeluhkan pasokan yang berkurang dari petani."
    summary = summarize(text, language="id")
    assert summary.sentences.count(sentence) == 1


def test_title_is_used_and_dropped_from_the_text() -> None:
    title = "Makassar Naikkan Anggaran Perbaikan Jalan"
    summary = summarize(f"{title}\n\n{ARTICLE}", title=title, language="id")
    assert title not in summary.sentences
    assert len(summary.sentences) == 3


def test_the_sample(sample: str) -> None:
    summary = summarize(sample)
    assert summary.language == "id"
    assert len(summary.sentences) == 3
    text = summary.text
    for gone in ("Syamsir", "INDONESIASATU", "foto:", "JENEPONTO -", "May 30", "(*)", "**"):
        assert gone not in text
    for sentence in summary.sentences:
        assert not sentence.endswith(("Muh.", "S.Sos.", "AKP", "Abd.", "H."))
        assert sentence[0].isupper() or sentence[0] in '"“'


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("", 0),
        ("   \n\n  ", 0),
        (" ".join(str(i) for i in range(20_000)), 0),
        ("😀🎉🔥 " * 5_000, 0),
        ("kata " * 10_000, 1),
        ("Warga Jeneponto memilih bupati baru hari ini. " * 4_500, 1),
    ],
    ids=["empty", "blank", "only-numbers", "only-emoji", "50k-sentence", "200k-chars"],
)
def test_bounded_inputs(text: str, sentences: int) -> None:
    started = time.perf_counter()
    summary = summarize(text)
    # Generous: the bench measures the real figure (well under 0.1 s each).
    assert time.perf_counter() - started < 5
    assert len(summary.sentences) == sentences
    assert all(len(s) <= 1_000 for s in summary.sentences)


def test_a_200k_character_article_gives_three_sentences_from_its_start() -> None:
    from bench.summaries import _long_article

    text = _long_article(200_000)
    started = time.perf_counter()
    summary = summarize(text, language="id")
    assert time.perf_counter() - started < 5
    assert len(summary.sentences) == 3
    assert all(text.find(s) < 60_000 for s in summary.sentences)


def test_lone_huge_sentence_is_cut_at_a_word() -> None:
    (cut,) = summarize("kata " * 10_000, max_chars=100).sentences
    assert len(cut) <= 100
    assert cut.endswith("kata…")


def test_picklable_for_the_process_pool() -> None:
    function = pickle.loads(pickle.dumps(summarize))
    summary = function(ARTICLE, language="id")
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert isinstance(summary, Summary)
