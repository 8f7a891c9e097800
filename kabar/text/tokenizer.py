"""Kabar's tokenizer object for sumy: sumy needs only `language`, `to_sentences` and `to_words`.

sumy's own Tokenizer loads NLTK punkt data (downloaded at run time) and knows no Indonesian.
"""

from __future__ import annotations

from kabar.text.sentences import split_sentences
from kabar.text.words import words


class Tokenizer:
    """Sentences and words of one language, offline; picklable and cheap to create."""

    __slots__ = ("language",)

    def __init__(self, language: str | None) -> None:
        self.language = language or ""

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """The sentences of `paragraph`."""
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The words of `sentence`, punctuation dropped."""
        return tuple(words(sentence))

    def __repr__(self) -> str:
        return f"Tokenizer({self.language!r})"
