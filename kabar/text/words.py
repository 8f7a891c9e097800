"""Split a sentence into words: letters and digits, keeping "kata-kata", "1.500.000" and "3,5"."""

from __future__ import annotations

import re

_WORD = re.compile(r"\d+(?:[.,:/]\d+)+|[^\W_]+(?:[-'’][^\W_]+)*")


def words(text: str) -> list[str]:
    """The words of `text` in order, punctuation dropped, case kept."""
    return _WORD.findall(text)
