"""Fit the sentence scorer on articles with reference summaries (development tool, numpy only).

`python -m kabar.text.learn [DATA_DIR] [--output PATH]` refits `kabar/text/scorer.json` from
IndoSum-style JSON lines. Labels are a greedy ROUGE-1+2 oracle over Kabar's own sentences; the
model is an L2-regularised logistic regression fitted by Newton's method.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from kabar.text.features import FEATURES, Matrix, features
from kabar.text.scorer import WEIGHTS_FILE, Scorer
from kabar.text.summarize import analyse

DATA_ENV = "KABAR_INDOSUM_DIR"
DEFAULT_DATA = Path("../shared/data/indosum-dev")
L2 = 1.0
NEWTON_STEPS = 25
ORACLE_SIZE = 3
_TOKEN = re.compile(r"[a-z0-9]+")  # as rouge-score tokenizes


@dataclass(frozen=True, slots=True)
class Article:
    """One training article: its raw text, reference summary and a title if known."""

    id: str
    text: str
    summary: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Example:
    """An article's features with and without its title, and each sentence's oracle label."""

    sentences: list[str]
    plain: Matrix
    titled: Matrix
    labels: Matrix


def load_articles(path: Path) -> list[Article]:
    """Articles from an IndoSum-style `dev.jsonl` (or a directory holding one)."""
    file = path / "dev.jsonl" if path.is_dir() else path
    articles = []
    with file.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            title = slug_title(row.get("source_url", ""))
            articles.append(Article(row["id"], row["text"], row["summary"], title))
    return articles


def slug_title(url: str) -> str | None:
    """A headline recovered from a news URL's slug ("/dua-akun-dilaporkan.html"), if any."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return None
    slug = max(segments, key=lambda s: len(re.split(r"[-.]", s)))
    slug = re.sub(r"\.html?$", "", slug)
    parts = [p for p in re.split(r"[-.]", slug) if p and not (p.isdigit() and len(p) >= 5)]
    return " ".join(parts) if len(parts) >= 3 else None


def example(article: Article, language: str = "id") -> Example:
    """The training example of `article`, read by the same pipeline as `summarize`."""
    analysis = analyse(article.text, language=language)
    doc = analysis.document
    plain = features(doc, language)
    titled = features(doc, language, article.title) if article.title else plain
    labels = np.zeros(len(doc.sentences))
    labels[oracle(doc.sentences, article.summary)] = 1.0
    return Example(doc.sentences, plain, titled, labels)


def oracle(sentences: Sequence[str], reference: str, size: int = ORACLE_SIZE) -> list[int]:
    """Greedily the sentences whose union best matches `reference` by ROUGE-1 + ROUGE-2 F1."""
    reference_tokens = _TOKEN.findall(reference.lower())
    wanted = (_ngrams(reference_tokens, 1), _ngrams(reference_tokens, 2))
    tokens = [_TOKEN.findall(s.lower()) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    for _ in range(size):
        pick = None
        for i in range(len(tokens)):
            if i in chosen:
                continue
            union = [t for j in sorted([*chosen, i]) for t in tokens[j]]
            score = _f1(_ngrams(union, 1), wanted[0]) + _f1(_ngrams(union, 2), wanted[1])
            if score > best:
                best, pick = score, i
        if pick is None:
            break
        chosen.append(pick)
    return sorted(chosen)


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def logistic(x: Matrix, y: Matrix, l2: float = L2) -> Matrix:
    """Weights of an L2-regularised logistic regression of `y` (0/1) on `x` (Newton's method)."""
    weights = np.zeros(x.shape[1])
    ridge = l2 * np.eye(x.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + l2 * weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return weights


def fit(
    examples: Iterable[Example], l2: float = L2, notes: Mapping[str, object] | None = None
) -> Scorer:
    """A scorer fitted on `examples`: one weight vector without titles and one with them."""
    chosen = [e for e in examples if len(e.labels)]
    labels = np.concatenate([e.labels for e in chosen])
    plain = logistic(np.vstack([e.plain for e in chosen]), labels, l2)
    titled = logistic(np.vstack([e.titled for e in chosen]), labels, l2)
    return Scorer(plain, titled, notes or {})


def folds(count: int, k: int, seed: int = 0) -> list[list[int]]:
    """`k` disjoint, shuffled index folds covering range(count)."""
    order = np.random.default_rng(seed).permutation(count)
    return [sorted(int(i) for i in part) for part in np.array_split(order, k)]


def data_dir(argument: str | None = None) -> Path:
    """The dev data: the argument, else $KABAR_INDOSUM_DIR, else ../shared/data/indosum-dev.

    The default is relative to the repository root; a git worktree one level deeper
    (wt/<branch>) finds it one more level up.
    """
    if argument:
        return Path(argument)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    root = Path(__file__).resolve().parents[2]
    candidates = [root / DEFAULT_DATA, root.parent / DEFAULT_DATA]
    return next((c for c in candidates if c.exists()), candidates[0]).resolve()


def main(argv: list[str] | None = None) -> int:
    """Refit the shipped weights from the dev data."""
    parser = argparse.ArgumentParser(prog="python -m kabar.text.learn", description=__doc__)
    parser.add_argument("data", nargs="?", help=f"IndoSum dev directory (default ${DATA_ENV})")
    default_output = Path(__file__).with_name(WEIGHTS_FILE)
    parser.add_argument("--output", type=Path, default=default_output)
    args = parser.parse_args(argv)
    path = data_dir(args.data)
    if not path.exists():
        print(f"no dev data at {path}: set {DATA_ENV} or pass the directory", file=sys.stderr)
        return 2
    articles = load_articles(path)
    examples = [example(a) for a in articles]
    notes = {
        "data": f"IndoSum dev sample, {len(articles)} articles",
        "labels": "greedy ROUGE-1+2 oracle of 3 sentences over Kabar's split",
        "model": f"logistic regression, L2 {L2}",
        "features": list(FEATURES),
    }
    scorer = fit(examples, notes=notes)
    args.output.write_text(json.dumps(scorer.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
