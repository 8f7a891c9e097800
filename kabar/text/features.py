"""Per-sentence features for ranking news: position, length, quotes, title overlap, centrality."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kabar.text.centrality import ratings, sumy_document
from kabar.text.sentences import CLOSERS, TERMINAL
from kabar.text.stem import stemmer
from kabar.text.stopwords import stop_words
from kabar.text.words import words

Matrix = np.ndarray[Any, np.dtype[np.float64]]

FEATURES = (
    "bias",
    "first",
    "second",
    "third",
    "position",
    "relative_position",
    "paragraph_first",
    "paragraph_position",
    "lede",
    "lede_position",
    "length",
    "short",
    "long",
    "quote",
    "question",
    "digits",
    "centroid",
    "lead_similarity",
    "textrank",
    "title",
)
_QUOTE = re.compile("[\"“”'‘’]")
_DIGIT = re.compile(r"\d")
MAX_CANDIDATES = 80  # news puts what matters first; the rest only costs time
MAX_SENTENCE_CHARS = 1_000  # longer "sentences" are tables or lists that lost their breaks
HEADING_WORDS = 10


@dataclass(frozen=True, slots=True)
class Document:
    """An article's candidate sentences, with their paragraph and content stems."""

    sentences: list[str]
    paragraph_of: list[int]
    paragraph_first: list[bool]
    stems: list[list[str]]

    def paragraphs(self) -> list[list[str]]:
        """The candidate sentences grouped by paragraph."""
        out: list[list[str]] = []
        last = -1
        for p, sentence in zip(self.paragraph_of, self.sentences, strict=True):
            if p != last:
                out.append([])
                last = p
            out[-1].append(sentence)
        return out


def document(paragraphs: Sequence[Sequence[str]], language: str | None) -> Document:
    """The candidates among already split `paragraphs`: no headings, no letterless lines."""
    stem = stemmer(language)
    stops = stop_words(language)
    doc = Document([], [], [], [])
    for p, paragraph in enumerate(paragraphs):
        if _is_heading(paragraph):
            continue
        for k, sentence in enumerate(paragraph):
            if len(doc.sentences) == MAX_CANDIDATES:
                return doc
            if len(sentence) > MAX_SENTENCE_CHARS or not any(ch.isalpha() for ch in sentence):
                continue
            doc.sentences.append(sentence)
            doc.paragraph_of.append(p)
            doc.paragraph_first.append(k == 0)
            doc.stems.append(content_stems(sentence, stem, stops))
    return doc


def _is_heading(paragraph: Sequence[str]) -> bool:
    if len(paragraph) != 1:
        return False
    line = paragraph[0]
    return line.rstrip(CLOSERS)[-1:] not in TERMINAL and len(line.split()) <= HEADING_WORDS


def content_stems(text: str, stem: Callable[[str], str], stops: frozenset[str]) -> list[str]:
    """The stems of `text`'s words that are not stop words, lower-cased."""
    return [stem(w) for w in (w.lower() for w in words(text)) if w not in stops]


def features(doc: Document, language: str | None, title: str | None = None) -> Matrix:
    """A matrix with one row per sentence of `doc` and one column per name in FEATURES."""
    n = len(doc.sentences)
    out = np.zeros((n, len(FEATURES)))
    if n == 0:
        return out
    columns = _position(doc) | _surface(doc.sentences) | _content(doc, language)
    if title:
        columns["title"] = np.asarray(title_overlap(doc.stems, title, language))
    for j, name in enumerate(FEATURES):
        if name in columns:
            out[:, j] = columns[name]
    return out


def _position(doc: Document) -> dict[str, Matrix]:
    n = len(doc.sentences)
    index = np.arange(n, dtype=float)
    paragraph = np.asarray(doc.paragraph_of, dtype=float)
    lede = (paragraph == paragraph[0]).astype(float)  # the opening paragraph of a news story
    return {
        "bias": np.ones(n),
        "first": (index == 0).astype(float),
        "second": (index == 1).astype(float),
        "third": (index == 2).astype(float),
        "position": 1.0 / (index + 1),
        "relative_position": index / n,
        "paragraph_first": np.asarray(doc.paragraph_first, dtype=float),
        "paragraph_position": 1.0 / (paragraph + 1),
        "lede": lede,
        "lede_position": lede * index,
    }


def _surface(sentences: list[str]) -> dict[str, Matrix]:
    lengths = np.array([len(words(s)) for s in sentences], dtype=float)
    return {
        "length": np.log1p(lengths) / math.log(40),
        "short": (lengths < 8).astype(float),
        "long": (lengths > 45).astype(float),
        "quote": np.array([bool(_QUOTE.search(s)) for s in sentences], dtype=float),
        "question": np.array([s.rstrip("\"”’' ").endswith("?") for s in sentences], dtype=float),
        "digits": np.array([bool(_DIGIT.search(s)) for s in sentences], dtype=float),
    }


def _content(doc: Document, language: str | None) -> dict[str, Matrix]:
    vectors = _tfidf(doc.stems)
    lead = _cosine(vectors, vectors[0])
    lead[0] = 1.0
    model = sumy_document(doc.paragraphs(), language)
    return {
        "centroid": _cosine(vectors, vectors.sum(axis=0)),
        "lead_similarity": lead,
        "textrank": _scaled(ratings("textrank", model, language)),
    }


def _tfidf(stems: list[list[str]]) -> Matrix:
    vocabulary: dict[str, int] = {}
    for sentence in stems:
        for s in sentence:
            vocabulary.setdefault(s, len(vocabulary))
    counts = np.zeros((len(stems), max(len(vocabulary), 1)))
    for i, sentence in enumerate(stems):
        for s in sentence:
            counts[i, vocabulary[s]] += 1
    df = (counts > 0).sum(axis=0)
    out: Matrix = counts * np.log((len(stems) + 1) / (df + 0.5))
    return out


def _cosine(matrix: Matrix, vector: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector)
    dots: Matrix = matrix @ vector
    out: Matrix = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return out


def _scaled(values: Sequence[float]) -> Matrix:
    """Ratings divided by the document's best, so that documents of any size compare."""
    array = np.asarray(values, dtype=float)
    top = float(array.max()) if len(array) else 0.0
    out: Matrix = array / top if top > 0 else np.zeros_like(array)
    return out


def title_overlap(stems: list[list[str]], title: str, language: str | None) -> list[float]:
    """The share of the title's content stems that each sentence contains."""
    wanted = set(content_stems(title, stemmer(language), stop_words(language)))
    if not wanted:
        return [0.0] * len(stems)
    return [len(wanted.intersection(s)) / len(wanted) for s in stems]
