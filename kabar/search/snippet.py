"""Short excerpts around the matched words, marked with <b>, safe to send as Telegram HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import regex

from kabar.search.analyze import Token, document_language, fold, raw_words, variants
from kabar.search.query import Kind, Query
from kabar.text.stem import stemmer

SNIPPET_CHARS = 200
LEAD_CHARS = 40  # context kept before the first marked word
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]")
_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Highlighter:
    """Decides which document tokens a query matched (its positive words, phrases, prefixes)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    # (document language, raw word) -> matched: news repeats its words within a text and across
    # the texts of one page, so each is folded and stemmed once per search.
    verdicts: dict[tuple[str | None, str], bool] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, query: Query) -> Highlighter:
        """The highlighter of a parsed query."""
        exact: set[str] = set()
        prefixes: list[str] = []
        for item in query.items():
            for term in item.terms:
                found = variants(term)
                if item.kind is Kind.PREFIX:
                    prefixes.extend(found)
                else:
                    exact.update(found)
        return cls(frozenset(exact), tuple(prefixes))

    def find(self, text: str, language: str | None) -> list[Token]:
        """The tokens of `text` (a document in `language`) that the query matched."""
        analysis = document_language(language)
        stem_word = stemmer(analysis or "")
        prefixes = self.prefixes or ("\0",)
        verdicts = self.verdicts
        found = []
        for word, start, end in raw_words(text):
            verdict = verdicts.get((analysis, word))
            if verdict is None:
                verdict = any(
                    form in self.exact or form.startswith(prefixes)
                    for term in fold(word)
                    for form in (term, stem_word(term))
                )
                verdicts[analysis, word] = verdict
            if verdict:
                found.append(Token(word, start, end))
        return found


def clean(text: str) -> str:
    """Text without control or unassigned characters, whitespace collapsed to single spaces."""
    cleaned: str = _SPACE.sub(" ", _CONTROL.sub(" ", text))
    return cleaned.strip()


def excerpt(texts: list[str], highlighter: Highlighter, language: str | None) -> str:
    """The snippet of the first of `texts` with a marked word, else the start of the first."""
    first = ""
    for text in texts:
        cleaned = clean(text)
        first = first or cleaned
        found = highlighter.find(cleaned, language)
        if found:
            return _render(cleaned, found, SNIPPET_CHARS)
    return _render(first, [], SNIPPET_CHARS)


def snippet(
    text: str, highlighter: Highlighter, language: str | None, max_chars: int = SNIPPET_CHARS
) -> str:
    """Telegram HTML: about `max_chars` of `text` around its densest marked words."""
    text = clean(text)
    return _render(text, highlighter.find(text, language), max_chars)


def _render(text: str, found: list[Token], max_chars: int) -> str:
    start = _best_start(text, found, max_chars)
    end = min(len(text), start + max_chars)
    if end < len(text):  # end on a word boundary, never inside a word or a marked token
        space = text.rfind(" ", start, end + 1)
        end = space if space > start else end
    parts: list[str] = ["…"] if start > 0 else []
    pos = start
    for token in found:
        if token.start < start or token.end > end or token.start < pos:
            continue
        parts.append(html.escape(text[pos : token.start], quote=False))
        parts.append("<b>" + html.escape(text[token.start : token.end], quote=False) + "</b>")
        pos = token.end
    parts.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _best_start(text: str, found: list[Token], max_chars: int) -> int:
    if not found:
        return 0
    best, best_count, j = found[0].start, 0, 0
    for i, anchor in enumerate(found):  # tokens are in order: slide a window over them
        j = max(j, i)
        while j < len(found) and found[j].end <= anchor.start + max_chars:
            j += 1
        if j - i > best_count:
            best, best_count = anchor.start, j - i
    start = max(0, best - LEAD_CHARS)
    if start == 0:
        return 0
    space = text.find(" ", start, best)  # begin on a word boundary
    return space + 1 if space != -1 else best
