"""Snippets: marked words, escaped text, cut only between whole words and tags."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from kabar.search.query import parse
from kabar.search.snippet import Highlighter, snippet


def mark(text: str, query: str, language: str | None = "id", size: int = 200) -> str:
    return snippet(text, Highlighter.of(parse(query)), language, size)


def test_marks_words_in_any_inflection_and_escapes_the_rest() -> None:
    assert mark("Pemerintah <resmi> memerintahkan & menolak", "perintah") == (
        "<b>Pemerintah</b> &lt;resmi&gt; <b>memerintahkan</b> &amp; menolak"
    )


def test_long_text_is_cut_around_the_densest_matches_on_word_boundaries() -> None:
    text = ("lorem ipsum " * 40) + "banjir besar & banjir rob " + ("dolor sit " * 40)
    out = mark(text, "banjir", size=80)
    assert out.startswith("…") and out.endswith("…")
    assert out.count("<b>banjir</b>") == 2
    assert "&amp;" in out
    assert len(html.unescape(re.sub(r"</?b>", "", out))) <= 80 + 2


def test_prefix_and_phrase_words_are_marked() -> None:
    assert mark("Presiden dan presidium", "presid*") == "<b>Presiden</b> dan <b>presidium</b>"
    assert mark("harga beras naik", '"harga beras"') == "<b>harga</b> <b>beras</b> naik"


def test_control_characters_are_removed() -> None:
    assert mark("a\x00b\x1bc banjir\u200b", "banjir") == "a b c <b>banjir</b>"


TAGS = re.compile(r"</?b>")


@given(st.text(max_size=400), st.sampled_from(["a", "banjir", "x*", '"a b"', "&", "é"]))
def test_output_is_always_well_formed_telegram_html(text: str, query: str) -> None:
    out = mark(text, query, size=60)
    bare = TAGS.sub("", out)
    assert "<" not in bare and ">" not in bare
    assert re.fullmatch(r"([^&]|&(amp|lt|gt);)*", bare)  # every & starts a whole entity
    depth = 0
    for tag in TAGS.findall(out):
        depth += 1 if tag == "<b>" else -1
        assert depth in (0, 1)
    assert depth == 0
