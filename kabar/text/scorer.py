"""The learned sentence scorer: plain weights per feature, shipped as `scorer.json`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from kabar.text.features import FEATURES, Matrix

WEIGHTS_FILE = "scorer.json"


@dataclass(frozen=True)
class Scorer:
    """A linear score over FEATURES: one weight vector without a title and one with it."""

    plain: Matrix
    titled: Matrix
    notes: Mapping[str, Any]

    def score(self, matrix: Matrix, *, titled: bool = False) -> Matrix:
        """One score per row of `matrix`; higher means more worth a place in the summary."""
        return matrix @ (self.titled if titled else self.plain)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorer:
        """Read weights keyed by feature name; a feature the file lacks weighs nothing."""

        def vector(weights: Mapping[str, float]) -> Matrix:
            return np.array([float(weights.get(name, 0.0)) for name in FEATURES])

        return cls(vector(data["plain"]), vector(data["titled"]), dict(data.get("notes", {})))

    def to_dict(self) -> dict[str, Any]:
        """The weights keyed by feature name, as written to `scorer.json`."""

        def named(vector: Matrix) -> dict[str, float]:
            return {name: round(float(w), 6) for name, w in zip(FEATURES, vector, strict=True)}

        return {"notes": dict(self.notes), "plain": named(self.plain), "titled": named(self.titled)}


@cache
def default_scorer() -> Scorer:
    """The weights shipped with Kabar, read once per process."""
    text = files("kabar.text").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
    return Scorer.from_dict(json.loads(text))
