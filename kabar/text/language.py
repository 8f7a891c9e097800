"""Guess an article's language with py3langid (a small model shipped in the package, offline)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_LETTER = re.compile(r"[^\W\d_]")
MIN_CHARS = 20  # below this a guess is noise
MIN_CONFIDENCE = 0.5
SAMPLE_CHARS = 4000  # the first few paragraphs decide; the rest only costs time


@cache
def _identifier() -> Any:
    # Loading the model takes about a second, so it happens once per process, on first use.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when too short or unsure.

    Standard Malay and Indonesian share most of their vocabulary and the model splits its vote
    between them on Indonesian news; Kabar's sources are Indonesian, so that split counts as id.
    """
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(_LETTER.findall(sample)) < MIN_CHARS:
        return None
    ranked = dict(_identifier().rank(sample)[:5])
    if "id" in ranked or "ms" in ranked:
        ranked["id"] = ranked.get("id", 0.0) + ranked.pop("ms", 0.0)
    code, prob = max(ranked.items(), key=lambda kv: kv[1])
    return str(code) if prob >= MIN_CONFIDENCE else None
