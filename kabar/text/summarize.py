"""The summarizer's interface (interim lead-N body; the summaries issue replaces the body)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary: sentences from the article, in document order."""

    language: str | None
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The sentences joined by newlines, as stored in Article.summary."""
        return "\n".join(self.sentences)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def summarize(
    text: str,
    *,
    title: str | None = None,
    language: str | None = None,
    sentences: int = 3,
    max_chars: int | None = None,
) -> Summary:
    """Summarize `text` into at most `sentences` sentences and `max_chars` characters.

    A pure, picklable function: ingestion runs it in a process pool.
    """
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join(text.split())) if p.strip()]
    chosen: list[str] = []
    for sentence in parts[:sentences]:
        if max_chars is not None and sum(len(s) + 1 for s in chosen) + len(sentence) > max_chars:
            break
        chosen.append(sentence)
    return Summary(language=language, sentences=chosen)
