"""The query parser: every feature, and plain words for everything else."""

from __future__ import annotations

from kabar.search.query import Clause, Item, Kind, Query, parse


def w(term: str) -> Item:
    return Item(Kind.WORD, (term,))


def test_words_phrases_exclusions_or_and_prefixes() -> None:
    q = parse('banjir "Jakarta Utara" -hoaks presid* a OR b -"kabar bohong"')
    assert q.clauses == (
        Clause((w("banjir"),)),
        Clause((Item(Kind.PHRASE, ("jakarta", "utara")),)),
        Clause((w("hoaks"),), negated=True),
        Clause((Item(Kind.PREFIX, ("presid",)),)),
        Clause((w("a"), w("b"))),
        Clause((Item(Kind.PHRASE, ("kabar", "bohong")),), negated=True),
    )


def test_engine_syntax_is_plain_words() -> None:
    assert parse("NEAR(a b) title:x ^y").clauses == tuple(
        Clause((w(t),)) for t in ("near", "a", "b", "title", "x", "y")
    )
    assert parse("a AND b or c").clauses == tuple(
        Clause((w(t),)) for t in ("a", "and", "b", "or", "c")
    )


def test_unbalanced_quote_and_curly_quotes() -> None:
    assert parse('"harga beras').clauses == (Clause((w("harga"),)), Clause((w("beras"),)))
    assert parse("“harga beras”").clauses == (Clause((Item(Kind.PHRASE, ("harga", "beras")),)),)


def test_hyphenated_words_are_phrases_and_short_prefixes_are_words() -> None:
    assert parse("covid-19").clauses == (Clause((Item(Kind.PHRASE, ("covid", "19")),)),)
    assert parse("a*").clauses == (Clause((w("a"),)),)
    assert parse("ab*").clauses == (Clause((Item(Kind.PREFIX, ("ab",)),)),)


def test_nothing_positive_means_empty() -> None:
    for text in ("", "   ", "-hoaks", "OR", "*", '""', "🎉", "\x00"):
        assert parse(text).is_empty, text


def test_length_is_bounded() -> None:
    q = parse(" ".join(f"w{n}" for n in range(500)))
    assert 0 < len(q.clauses) <= 12
    assert parse("a " * 10_000) == Query((Clause((w("a"),)),))
