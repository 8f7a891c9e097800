"""The sentence splitter on the abbreviations, numbers and quotations of Indonesian news."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabar.text.sentences import ends_sentence, split_paragraphs, split_sentences


@pytest.mark.parametrize(
    "text",
    [
        "Wakapolres Kompol Muh. Idris, S.Sos., MM hadir di sana.",
        "Kasat Lantas AKP H. Abd. Samad, S.H., M.M. memimpin apel.",
        "Dosen itu bernama Dr. Budi Santoso, M.Si. dari Makassar.",
        "Ia diperiksa dr. Ani di rumah sakit.",
        "Prof. Dr. Ir. H. Ahmad, Drs. Umar dan Hj. Siti tiba.",
        "Kapolres AKBP Yudi dan Kompol Andi serta IPTU Rahmat hadir.",
        "Kantornya di Jl. Sudirman No. 5, Kec. Binamu, Kab. Jeneponto, Kel. Empoang.",
        "Saham PT. Bank Rakyat Indonesia Tbk. naik pada sesi pertama.",
        "Moh. Hatta dan Muh. Yamin adalah tokoh bangsa.",
        "Anggarannya Rp 1.500.000 atau naik 3,5 persen dari tahun lalu.",
        "Acara dimulai 29/05/2024 pukul 11.08 WIB di aula.",
        "Kunjungi www.kabar.id atau surel redaksi@kabar.co.id untuk info.",
        "Mantan presiden B. J. Habibie lahir di Parepare.",
        "Ia berkata dia... tidak tahu apa-apa.",
        "Sutradara J.C. Leyendecker hadir pada pemutaran perdana.",
    ],
)
def test_no_split_inside(text: str) -> None:
    assert split_sentences(text, "id") == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Polisi tiba pukul 10.00 WIB. Mereka langsung memeriksa lokasi.",
            ["Polisi tiba pukul 10.00 WIB.", "Mereka langsung memeriksa lokasi."],
        ),
        (
            '"Kami siap mengawal pilkada." Ia menegaskan hal itu di Jeneponto.',
            ['"Kami siap mengawal pilkada."', "Ia menegaskan hal itu di Jeneponto."],
        ),
        (
            '"Apakah ini benar?" tanya dia. Semua diam.',
            ['"Apakah ini benar?" tanya dia.', "Semua diam."],
        ),
        (
            "Pelantikan digelar pada 2017. Tahun berikutnya ia mundur!",
            ["Pelantikan digelar pada 2017.", "Tahun berikutnya ia mundur!"],
        ),
        (
            "Kasi Humas AKP Bakri, S.Sos. Ia berharap pilkada aman.",
            ["Kasi Humas AKP Bakri, S.Sos.", "Ia berharap pilkada aman."],
        ),
        (
            "Pasokan bahan pokok seperti beras, gula, dll. Semua tersedia.",
            ["Pasokan bahan pokok seperti beras, gula, dll.", "Semua tersedia."],
        ),
        (
            "Ia tiba di lokasi. “ Ini luar biasa, ” katanya. ” Lalu ia pergi.",
            ["Ia tiba di lokasi.", "“ Ini luar biasa, ” katanya. ”", "Lalu ia pergi."],
        ),
        (
            "Hujan turun sejak pagi. (ant/rif)",
            ["Hujan turun sejak pagi.", "(ant/rif)"],
        ),
        ("日本は晴れです。明日は雨です。", ["日本は晴れです。", "明日は雨です。"]),
    ],
)
def test_splits(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "id") == expected


def test_english_abbreviations() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. on Friday. They talked for an hour."
    assert split_sentences(text, "en") == [
        "Mr. Smith met Dr. Jones in the U.S. on Friday.",
        "They talked for an hour.",
    ]


def test_paragraphs_end_sentences_and_wrapped_lines_rejoin() -> None:
    text = (
        "Judul Tanpa Titik\n\nKalimat pertama yang cukup panjang untuk dibungkus\n"
        "oleh editor teks. Kalimat kedua.\n\n- butir satu\n- butir dua"
    )
    assert split_paragraphs(text, "id") == [
        ["Judul Tanpa Titik"],
        ["Kalimat pertama yang cukup panjang untuk dibungkus oleh editor teks.", "Kalimat kedua."],
        ["- butir satu", "- butir dua"],
    ]


def test_one_paragraph_per_line_as_extractors_write() -> None:
    long_line = "Harga cabai rawit di pasar tradisional naik tajam pada pekan ini karena hujan."
    text = f"{long_line} Pasokan berkurang.\nKenaikan mencapai 30 persen.\nsambung kalimat ini."
    assert split_paragraphs(text, "id") == [
        [
            long_line,
            "Pasokan berkurang.",
            "Kenaikan mencapai 30 persen. sambung kalimat ini.",
        ]
    ]


def test_list_numbers_open_their_item() -> None:
    assert split_sentences("Tipsnya adalah: 1. Minum air. 2. Tidur cukup.", "id") == [
        "Tipsnya adalah: 1. Minum air.",
        "2. Tidur cukup.",
    ]


def test_ends_sentence_needs_a_start_next() -> None:
    assert not ends_sentence("itu.", "lalu")
    assert ends_sentence("itu.", "Lalu")
    assert ends_sentence("itu.", '"Kami')
    assert not ends_sentence("itu,", "Lalu")


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'()AB1,…")), max_size=200))
def test_splitting_keeps_every_visible_character(text: str) -> None:
    sentences = split_sentences(text, "id")
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
    assert all(s == s.strip() and s for s in sentences)


def test_huge_input_is_linear() -> None:
    text = "Kalimat ini cukup biasa. " * 8_000 + "Kata " * 10_000
    sentences = split_sentences(text, "id")
    assert len(sentences) == 8_001
    assert len(sentences[-1]) == len("Kata ") * 10_000 - 1
