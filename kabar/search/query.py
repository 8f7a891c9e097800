"""Parse what a user types into a small query tree; nothing typed is ever engine syntax.

The language: words (all must match), "exact phrase", -exclude (a word or a phrase), a OR b
(upper-case OR between two items), prefix* (at least MIN_PREFIX letters). Anything else is plain
words: stray quotes, brackets, operators of either engine, control characters and emoji fold away
in the analyzer. A query with nothing positive left matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import regex

from kabar.search.analyze import words

MAX_QUERY_CHARS = 1024
MAX_CLAUSES = 12  # positive and negative together; the rest of a longer query is ignored
MAX_ALTERNATIVES = 4  # items in one a OR b OR c group
MAX_PHRASE_TERMS = 8
MIN_PREFIX = 2

# Straight quotes and the curly ones phone keyboards substitute for them.
_QUOTES = '"“”„«»'
_UNIT = regex.compile(rf"(-?)[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}]|(\S+)")
# Punctuation that separates words even without a space ("NEAR(a" is two words); hyphens, dots,
# slashes and apostrophes join them ("covid-19" is a phrase).
_BREAK = regex.compile(r"[()\[\]{}<>,;:!?^+&|~=]+")


class Kind(StrEnum):
    """What one query item asks for."""

    WORD = "word"  # one term, any of its variants
    PHRASE = "phrase"  # consecutive terms in one field
    PREFIX = "prefix"  # any term starting with this


@dataclass(frozen=True, slots=True)
class Item:
    """A word, phrase or prefix, as folded (unstemmed) terms."""

    kind: Kind
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Clause:
    """Alternatives of which one must match, or (negated) none may."""

    items: tuple[Item, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A conjunction of clauses; `positive` says whether it can match anything at all."""

    clauses: tuple[Clause, ...] = field(default_factory=tuple)

    @property
    def positive(self) -> tuple[Clause, ...]:
        """The clauses that must match."""
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        """The clauses that must not match."""
        return tuple(c for c in self.clauses if c.negated)

    @property
    def is_empty(self) -> bool:
        """True when nothing positive is left: such a query matches no article."""
        return not self.positive

    def items(self) -> tuple[Item, ...]:
        """Every positive item, for highlighting."""
        return tuple(i for c in self.positive for i in c.items)


@dataclass(slots=True)
class _Unit:
    item: Item | None
    negated: bool = False
    is_or: bool = False


def _item(text: str, quoted: bool) -> Item | None:
    found = words(text)[:MAX_PHRASE_TERMS]
    if not found:
        return None
    if len(found) > 1:
        return Item(Kind.PHRASE, tuple(found))
    if not quoted and text.endswith("*") and _ends_in_word(text) and len(found[0]) >= MIN_PREFIX:
        return Item(Kind.PREFIX, (found[0],))
    return Item(Kind.WORD, (found[0],))


def _ends_in_word(text: str) -> bool:
    """`abc*` is a prefix; `abc-*` or `abc)*` is not."""
    stem = text.rstrip("*")
    return bool(stem) and bool(words(stem[-1]))


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    for match in _UNIT.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is None:
            units.append(_Unit(_item(quoted, quoted=True), negated=bool(minus)))
        elif bare == "OR":
            units.append(_Unit(None, is_or=True))
        else:
            negated = bare.startswith("-") and len(bare) > 1
            parts = _BREAK.split(bare[1:] if negated else bare)
            for n, part in enumerate(parts):
                units.append(_Unit(_item(part, quoted=False), negated=negated and n == 0))
    return units


def _balance_quotes(text: str) -> str:
    """An unbalanced quote is dropped, so the rest reads as plain words."""
    count = sum(text.count(q) for q in _QUOTES)
    if count % 2 == 0:
        return text
    last = max(text.rfind(q) for q in _QUOTES)
    return text[:last] + " " + text[last + 1 :]


def parse(text: str) -> Query:
    """The query tree for what a user typed; never raises."""
    units = _units(_balance_quotes(text[:MAX_QUERY_CHARS]))
    clauses: list[Clause] = []
    pending_or = False
    for unit in units:
        if unit.is_or:
            pending_or = bool(clauses) and not clauses[-1].negated
            continue
        if unit.item is None:
            continue
        if unit.negated:
            clauses.append(Clause((unit.item,), negated=True))
        elif pending_or and len(clauses[-1].items) < MAX_ALTERNATIVES:
            if unit.item not in clauses[-1].items:
                clauses[-1] = Clause((*clauses[-1].items, unit.item))
        elif Clause((unit.item,)) not in clauses:
            clauses.append(Clause((unit.item,)))
        pending_or = False
    return Query(tuple(clauses[:MAX_CLAUSES]))
