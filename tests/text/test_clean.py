"""Cleaning removes boilerplate and keeps the article."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabar.text.clean import clean_text, strip_dateline


@pytest.mark.parametrize(
    "line",
    [
        "JENEPONTO - Polisi mengamankan pelaku.",
        "Jakarta (ANTARA) - Polisi mengamankan pelaku.",
        "Merdeka.com - Polisi mengamankan pelaku.",
        "Jakarta, CNN Indonesia - - Polisi mengamankan pelaku.",
        "Kuala Lumpur, (AntaraKL) - Polisi mengamankan pelaku.",
        "JAKARTA, KOMPAS.com — Polisi mengamankan pelaku.",
        "Jakarta - Polisi mengamankan pelaku.",
        "REPUBLIKA.CO.ID, JAKARTA -- Polisi mengamankan pelaku.",
    ],
)
def test_datelines_go(line: str) -> None:
    assert strip_dateline(line) == "Polisi mengamankan pelaku."


@pytest.mark.parametrize(
    "line",
    [
        "Presiden Joko Widodo - yang baru tiba - langsung rapat.",
        "Skor akhir 2 - 1 untuk tuan rumah.",
        "Ia menang - dan itu penting.",
    ],
)
def test_dashes_in_sentences_stay(line: str) -> None:
    assert strip_dateline(line) == line


def test_boilerplate_lines_go() -> None:
    text = "\n\n".join(
        [
            "Polisi menangkap dua pelaku pencurian di Makassar pada Senin malam.",
            "Baca juga: Polisi Tangkap Pencuri Motor",
            "BACA JUGA : Harga Cabai Naik",
            "Ikuti berita terkini dari Kabar di Google News, klik di sini.",
            "Bagikan artikel ini ke WhatsApp",
            "Editor: Rina",
            "Kedua pelaku kini ditahan di Polrestabes Makassar untuk pemeriksaan.",
            "ADVERTISEMENT",
            'Baca artikel detiknews, "Polisi Tangkap Pencuri" selengkapnya di sini.',
            "Simak Video: Detik-detik Penangkapan Pencuri",
            "Halaman selanjutnya",
            "Penulis: Andi | Editor: Budi",
        ]
    )
    assert clean_text(text) == (
        "Polisi menangkap dua pelaku pencurian di Makassar pada Senin malam.\n\n"
        "Kedua pelaku kini ditahan di Polrestabes Makassar untuk pemeriksaan."
    )


def test_long_paragraphs_stay_whatever_their_first_word() -> None:
    text = "Sumber: " + " ".join(["Polisi menyebut pelaku sudah lama diintai."] * 8)
    assert clean_text(text) == text


def test_captions_go_and_long_paragraphs_lose_only_the_credit() -> None:
    long = " ".join(["Warga berkumpul di lapangan untuk acara itu."] * 10)
    text = (
        "Suasana rapat di aula kantor bupati (foto: Humas Pemkab).\n\n"
        f"{long} (Foto: ANTARA)\n\nRapat berlangsung dua jam dan berakhir damai."
    )
    assert clean_text(text) == f"{long}\n\nRapat berlangsung dua jam dan berakhir damai."


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        ("ditutup dengan diskusi (*).", "ditutup dengan diskusi."),
        ("ditutup dengan diskusi. (ant/rif)", "ditutup dengan diskusi."),
        ("ditutup dengan diskusi. (*).", "ditutup dengan diskusi."),
        ("ditutup dengan kata dia... (rsa)", "ditutup dengan kata dia..."),
        ("ditutup dengan diskusi. [tyo]", "ditutup dengan diskusi."),
        ("ditutup dengan diskusi. (end)", "ditutup dengan diskusi."),
        ("ditutup dengan diskusi. ***", "ditutup dengan diskusi."),
        ("ditutup dengan diskusi (KLB).", "ditutup dengan diskusi (KLB)."),
    ],
)
def test_closing_marks_go(ending: str, expected: str) -> None:
    assert clean_text(f"Acara berlangsung lancar dan {ending}") == (
        f"Acara berlangsung lancar dan {expected}"
    )


def test_broken_lines_rejoin() -> None:
    text = (
        "Pilkada dihelat serentak pada 27\n\nNovember 2024. Polisi siap.\n\n"
        "Ia sadar tidak semua mampu\n\ndiakomodir. Semua paham.\n\n"
        "Rapat digelar di kantor camat pada\n\nSenin pagi bersama warga."
    )
    assert clean_text(text) == (
        "Pilkada dihelat serentak pada 27 November 2024. Polisi siap.\n\n"
        "Ia sadar tidak semua mampu diakomodir. Semua paham.\n\n"
        "Rapat digelar di kantor camat pada Senin pagi bersama warga."
    )


def test_header_title_byline_and_markdown() -> None:
    text = (
        "Harga Cabai Naik Lagi\n\nOleh Andi - [KABAR.ID](https://kabar.id)\n\n"
        "May 30, 2024 - 11:08\n\n**Harga cabai** rawit naik tajam pekan ini di pasar."
    )
    assert clean_text(text, title="Harga cabai naik lagi") == (
        "Harga cabai rawit naik tajam pekan ini di pasar."
    )


def test_the_sample(sample: str) -> None:
    cleaned = clean_text(sample)
    assert cleaned.startswith("Menjelang pesta demokrasi")
    for gone in ("Syamsir, HR", "INDONESIASATU", "May 30, 2024", "foto:", "JENEPONTO -", "(*)"):
        assert gone not in cleaned
    assert "pada 27 November 2024." in cleaned
    assert "tidak semua mampu diakomodir." in cleaned
    assert cleaned.endswith("sesi tanya jawab/diskusi.")


def test_short_articles_keep_their_lines() -> None:
    assert clean_text("Gempa 5,1 SR guncang Jeneponto") == "Gempa 5,1 SR guncang Jeneponto"


@given(st.text(alphabet=st.sampled_from(list('ab A-.(*)/:\n"1')), max_size=120))
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
