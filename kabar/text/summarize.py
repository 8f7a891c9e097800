"""Extractive summaries: clean, split, rank sentences by news features and sumy, pick the best."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kabar.text.clean import clean_text
from kabar.text.features import FEATURES, Document, document, features
from kabar.text.language import detect_language
from kabar.text.scorer import Scorer, default_scorer
from kabar.text.sentences import split_paragraphs
from kabar.text.stem import has_stemmer
from kabar.text.stopwords import stop_words

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 60_000  # a summary comes from the first pages of even the longest article
REDUNDANT = 0.6  # share of content stems two sentences have in common to count as repeats
MIN_WORDS = 4
FALLBACK_CHARS = 300  # an over-long lone "sentence" is cut to this when no budget is given
ELLIPSIS = "…"
# Scripts written without spaces between words need a word segmenter Kabar does not ship.
UNSEGMENTED = frozenset({"zh", "ja", "ko", "th", "lo", "km", "my", "bo"})


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary: sentences from the article, in document order."""

    language: str | None
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The sentences joined by newlines, as stored in Article.summary."""
        return "\n".join(self.sentences)


@dataclass(frozen=True, slots=True)
class Analysis:
    """An article ready to rank: its language and candidate sentences."""

    language: str | None
    document: Document
    cleaned: str


def supports(language: str | None) -> bool:
    """Whether Kabar can rank sentences of `language` (else it takes the lead sentences)."""
    if not language or language in UNSEGMENTED:
        return False
    return has_stemmer(language) or bool(stop_words(language))


def summarize(
    text: str,
    *,
    title: str | None = None,
    language: str | None = None,
    sentences: int = 3,
    max_chars: int | None = None,
) -> Summary:
    """Summarize `text` into at most `sentences` sentences and `max_chars` characters.

    A pure, picklable function: ingestion runs it in a process pool. `language` None (or
    "auto") means detect it; a language Kabar cannot rank gets the lead sentences and a warning.
    """
    return summarize_with(
        default_scorer(),
        text,
        title=title,
        language=language,
        sentences=sentences,
        max_chars=max_chars,
    )


def summarize_with(
    scorer: Scorer,
    text: str,
    *,
    title: str | None = None,
    language: str | None = None,
    sentences: int = 3,
    max_chars: int | None = None,
) -> Summary:
    """`summarize` with the given weights (the benchmark's cross-validation passes its own)."""
    article = analyse(text, title=title, language=language)
    doc = article.document
    if sentences <= 0 or not doc.sentences:
        return Summary(article.language, _cut_lone(article.cleaned, sentences, max_chars))
    if supports(article.language):
        matrix = features(doc, article.language, title)
        titled = bool(matrix[:, FEATURES.index("title")].any())
        scores = scorer.score(matrix, titled=titled)
        ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    else:
        level = logging.WARNING if len(article.cleaned) >= 200 else logging.DEBUG
        name = repr(article.language) if article.language else "an unknown language"
        log.log(level, "cannot rank sentences in %s; taking the lead sentences", name)
        ranked = list(range(len(doc.sentences)))
    chosen = [doc.sentences[i] for i in select(doc, ranked, sentences, max_chars)]
    if not chosen and max_chars is not None:
        # Not even one sentence fits the budget: better the best one trimmed than nothing.
        chosen = [truncate(doc.sentences[ranked[0]], max_chars)] if max_chars > 0 else []
    return Summary(article.language, [s for s in chosen if s])


def analyse(text: str, *, title: str | None = None, language: str | None = None) -> Analysis:
    """Clean `text`, settle its language and split it into candidate sentences."""
    cleaned = clean_text(_head(text), title=title)
    code = normalize_language(language) or detect_language(cleaned)
    return Analysis(code, document(split_paragraphs(cleaned, code), code), cleaned)


def normalize_language(language: str | None) -> str | None:
    """ "id", "ID", "id-ID" and "id_ID" are "id"; None, "" and "auto" are None (detect)."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return None if code in ("", "auto") else code


def _head(text: str) -> str:
    """The start of `text`, cut at a paragraph or space so no word is split."""
    if len(text) <= MAX_INPUT_CHARS:
        return text
    head = text[:MAX_INPUT_CHARS]
    cut = max(head.rfind("\n\n"), head.rfind(" "))
    return head[:cut] if cut > MAX_INPUT_CHARS // 2 else head


def select(doc: Document, ranked: list[int], count: int, max_chars: int | None) -> list[int]:
    """The best `count` sentences in document order, skipping repeats, within `max_chars`."""
    long_enough = [i for i in ranked if len(doc.sentences[i].split()) >= MIN_WORDS]
    chosen: list[int] = []
    used = 0
    for i in long_enough or ranked:
        sentence = doc.sentences[i]
        if _repeats(doc, i, chosen):
            continue
        cost = len(sentence) + (1 if chosen else 0)
        if max_chars is not None and used + cost > max_chars:
            continue
        chosen.append(i)
        used += cost
        if len(chosen) == count:
            break
    return sorted(chosen)


def _repeats(doc: Document, i: int, chosen: list[int]) -> bool:
    stems = set(doc.stems[i])
    if not stems:
        return False
    for j in chosen:
        other = set(doc.stems[j])
        if len(stems & other) / len(stems | other) > REDUNDANT:
            return True
    return False


def _cut_lone(cleaned: str, count: int, max_chars: int | None) -> list[str]:
    """For text with no usable sentence (one huge run-on "sentence"): its start, marked cut."""
    if count <= 0 or not any(ch.isalpha() for ch in cleaned[:MAX_INPUT_CHARS]):
        return []
    return [truncate(" ".join(cleaned.split()), max_chars or FALLBACK_CHARS)]


def truncate(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - len(ELLIPSIS), 0)]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-") + ELLIPSIS if head else ""
