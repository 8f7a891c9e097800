"""sumy's summarizers on Kabar's tokenizer, stemmers and stop words, with every rating exposed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from kabar.text.stem import stemmer
from kabar.text.stopwords import stop_words
from kabar.text.tokenizer import Tokenizer

ZERO = 1e-8  # numpy.isclose(x, 0.0)'s absolute tolerance


class TextRank(TextRankSummarizer):  # type: ignore[misc]
    """sumy's TextRank, same ratings, minus two costs profiling found.

    `numpy.isclose` on two floats took half of its time, and its Python 2 unicode shim on
    every word a tenth; Kabar's words are already `str`.
    """

    @staticmethod
    def normalize_word(word: str) -> str:
        return word.lower()

    @staticmethod
    def _rate_sentences_edge(words1: list[str], words2: list[str]) -> float:
        rank = sum(words2.count(w) for w in words1)
        if rank == 0:
            return 0.0
        norm = math.log(len(words1)) + math.log(len(words2))
        return float(rank) if abs(norm) <= ZERO else rank / norm


ALGORITHMS: dict[str, type[Any]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRank,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
}


def sumy_document(paragraphs: Sequence[Sequence[str]], language: str | None) -> Any:
    """Already split `paragraphs` as sumy's document model, read with Kabar's tokenizer."""
    tokenizer = Tokenizer(language)
    return ObjectDocumentModel(
        [Paragraph([Sentence(s, tokenizer) for s in p]) for p in paragraphs if p]
    )


@cache
def summarizer(name: str, language: str | None) -> Any:
    """sumy's algorithm `name` (a key of ALGORITHMS) with Kabar's stemmer and stop words.

    Cached: setting the stop words normalizes every one of them, and the instances keep no
    state between documents.
    """
    instance = ALGORITHMS[name](stemmer(language))
    instance.stop_words = stop_words(language)
    return instance


def ratings(name: str, model: Any, language: str | None) -> list[float]:
    """The rating sumy's algorithm `name` gives each sentence of `model`, in document order.

    sumy's summarizers return only the best sentences; the count they accept may be a callable
    that receives every sentence with its rating, which is how the ratings come out.
    """
    seen: list[Any] = []

    def keep_all(infos: list[Any]) -> list[Any]:
        seen.extend(infos)
        return infos

    summarizer(name, language)(model, keep_all)
    out = [0.0] * len(model.sentences)
    for info in seen:
        out[info.order] = float(info.rating)
    return out


def best(name: str, model: Any, language: str | None, count: int) -> list[str]:
    """Plain sumy: the `count` sentences algorithm `name` rates best, in document order."""
    return [str(s) for s in summarizer(name, language)(model, count)]
