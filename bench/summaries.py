"""Summaries on the IndoSum dev sample: Kabar against Lead-3 and plain sumy, plus the splitter.

`python -m bench summaries [--limit N] [--folds K] [--sentences N] [DATA_DIR]`. The data comes
from DATA_DIR, else $KABAR_INDOSUM_DIR, else ../shared/data/indosum-dev beside the repository.
Every system gets the same raw `text` and Kabar's sentence splitter; ROUGE F1 comes from the
rouge-score package (lower-cased, no stemming: it has no Indonesian stemmer).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from kabar.text.centrality import sumy_document
from kabar.text.clean import clean_text
from kabar.text.learn import DATA_ENV, Article, data_dir, example, fit, folds, load_articles
from kabar.text.sentences import split_paragraphs, split_sentences
from kabar.text.stem import stemmer
from kabar.text.stopwords import stop_words
from kabar.text.summarize import summarize, summarize_with
from kabar.text.words import words

LANGUAGE = "id"
SUMY = {
    "sumy LexRank": LexRankSummarizer,
    "sumy TextRank": TextRankSummarizer,
    "sumy LSA": LsaSummarizer,
    "sumy Luhn": LuhnSummarizer,
}
VOCABULARY = tuple(
    words(
        "pemerintah kota warga jalan anggaran pasar harga beras polisi bupati pilkada rapat "
        "petani nelayan sekolah guru rumah sakit banjir gempa bantuan desa kecamatan dinas "
        "proyek jembatan listrik air bersih pelabuhan bandara kapal bus kereta pajak bank"
    )
)
TARGET_OVER_LEAD = 1.0
TARGET_OVER_SUMY = 15.0
TARGET_RATE = 100.0
TARGET_SPLIT_F1 = 0.97
Summarizer = Callable[[Article], list[str]]


@dataclass
class Row:
    """One system's mean ROUGE F1 (in %) and its speed in articles per CPU and wall second."""

    name: str
    rouge: tuple[float, float, float]
    rate: float | None
    wall_rate: float | None = None


def main(argv: list[str]) -> int:
    """Print the ROUGE table, the splitter's boundary F1, the bounded cases and the targets."""
    args = _arguments(argv)
    path = data_dir(args.data)
    if not path.exists():
        print(
            f"SKIPPED: no IndoSum dev data at {path}.\n"
            f"Set {DATA_ENV} to the directory holding dev.jsonl, or pass it as an argument."
        )
        return 1
    articles = load_articles(path)[: args.limit or None]
    print(
        f"{len(articles)} articles from {path}, median {typical_length(articles)} chars; "
        f"{args.sentences} sentences per summary; one process on one core"
    )
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    _warm_up(articles[0])
    rows = [_measure(name, fn, articles, scorer) for name, fn in _systems(args.sentences).items()]
    rows += _held_out(articles, args, scorer)
    _print_table(rows)
    split_f1 = _splitter(path, args.limit)
    _bounded()
    return _targets(rows, split_f1)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench summaries", description=__doc__)
    parser.add_argument("data", nargs="?", help=f"dev data directory (default ${DATA_ENV})")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--sentences", type=int, default=3)
    return parser.parse_args(argv)


def _warm_up(article: Article) -> None:
    """Load the language model, stemmers and sumy once, outside every timing."""
    summarize(article.text)
    for system in _systems(3).values():
        system(article)


def _systems(count: int) -> dict[str, Summarizer]:
    systems: dict[str, Summarizer] = {
        "Kabar (shipped weights, in-sample)": lambda a: (
            summarize(a.text, sentences=count).sentences
        ),
        "Kabar + URL-slug title (in-sample)": lambda a: (
            summarize(a.text, title=a.title, sentences=count).sentences
        ),
        "Lead-3": lambda a: split_sentences(a.text, LANGUAGE)[:count],
        "Lead-3 after Kabar's cleaning": lambda a: split_sentences(clean_text(a.text), LANGUAGE)[
            :count
        ],
    }
    for name, kind in SUMY.items():
        systems[name] = _plain_sumy(kind, count)
    return systems


def _plain_sumy(kind: type[Any], count: int) -> Summarizer:
    def run(article: Article) -> list[str]:
        algorithm = kind(stemmer(LANGUAGE))
        algorithm.stop_words = stop_words(LANGUAGE)
        model = sumy_document(split_paragraphs(article.text, LANGUAGE), LANGUAGE)
        return [str(s) for s in algorithm(model, count)]

    return run


def _measure(name: str, system: Summarizer, articles: Sequence[Article], scorer: Any) -> Row:
    stemmer.cache_clear()  # every system starts with cold stem caches
    cpu, wall = time.process_time(), time.perf_counter()
    outputs = [system(a) for a in articles]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = len(articles)
    return Row(name, _rouge(scorer, articles, outputs), n / cpu, n / wall)


def _rouge(
    scorer: Any, articles: Sequence[Article], outputs: Sequence[list[str]]
) -> tuple[float, float, float]:
    totals = [0.0, 0.0, 0.0]
    for article, sentences in zip(articles, outputs, strict=True):
        scores = scorer.score(article.summary, " ".join(sentences))
        for k, key in enumerate(("rouge1", "rouge2", "rougeL")):
            totals[k] += scores[key].fmeasure
    n = max(len(articles), 1)
    return (100 * totals[0] / n, 100 * totals[1] / n, 100 * totals[2] / n)


def _held_out(articles: Sequence[Article], args: argparse.Namespace, scorer: Any) -> list[Row]:
    """Kabar refitted on k-1 folds and scored on the fold it never saw, for every fold."""
    started = time.perf_counter()
    examples = [example(a) for a in articles]
    print(
        f"(features and oracle labels for cross-validation: {time.perf_counter() - started:.1f} s)"
    )
    plain: list[list[str]] = [[] for _ in articles]
    titled: list[list[str]] = [[] for _ in articles]
    parts = folds(len(articles), args.folds)
    for k, test in enumerate(parts):
        held = set(test)
        weights = fit(e for i, e in enumerate(examples) if i not in held)
        for i in test:
            text, title = articles[i].text, articles[i].title
            plain[i] = summarize_with(weights, text, sentences=args.sentences).sentences
            titled[i] = summarize_with(
                weights, text, title=title, sentences=args.sentences
            ).sentences
        print(f"  fold {k + 1}/{len(parts)}: trained on {len(articles) - len(test)} articles")
    return [
        Row(f"Kabar, {args.folds}-fold held-out", _rouge(scorer, articles, plain), None),
        Row(f"Kabar + title, {args.folds}-fold held-out", _rouge(scorer, articles, titled), None),
    ]


def _print_table(rows: Sequence[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(
        f"\n{'system':<{width}}  {'ROUGE-1':>7}  {'ROUGE-2':>7}  {'ROUGE-L':>7}"
        f"  {'art/s CPU':>9}  {'art/s wall':>10}"
    )
    for row in rows:
        r1, r2, rl = row.rouge
        cpu = f"{row.rate:9.0f}" if row.rate is not None else f"{'(same)':>9}"
        wall = f"{row.wall_rate:10.0f}" if row.wall_rate is not None else f"{'':>10}"
        print(f"{row.name:<{width}}  {r1:7.2f}  {r2:7.2f}  {rl:7.2f}  {cpu}  {wall}")
    print(
        "art/s CPU: articles per second of this process's CPU time, i.e. what one core does "
        "alone; art/s wall also counts time lost to other processes on a shared machine."
    )


def _splitter(path: Path, limit: int) -> float:
    """Boundary F1 of Kabar's splitter against IndoSum's `sentences`, on the raw `text`."""
    file = path / "dev.jsonl" if path.is_dir() else path
    rows = [json.loads(line) for line in file.open(encoding="utf-8")][: limit or None]
    inside = [0, 0, 0]  # true positives, false positives, false negatives
    every = [0, 0, 0]
    for row in rows:
        predicted = split_paragraphs(row["text"], LANGUAGE)
        for counts, strict in ((inside, True), (every, False)):
            reference = _boundaries(row["sentences"], strict=strict)
            guessed = _boundaries(predicted, strict=strict)
            counts[0] += len(reference & guessed)
            counts[1] += len(guessed - reference)
            counts[2] += len(reference - guessed)
    f1_inside = _f1(*inside)
    print(f"\nsplitter boundary F1 against IndoSum's segmentation ({len(rows)} articles):")
    print(f"  inside paragraphs (paragraph ends excluded): {f1_inside:.4f}   {_prf(*inside)}")
    print(f"  every boundary (paragraph ends included):    {_f1(*every):.4f}   {_prf(*every)}")
    return f1_inside


def _boundaries(paragraphs: Sequence[Sequence[str]], *, strict: bool) -> set[int]:
    """Sentence ends as counts of non-space characters before them."""
    out: set[int] = set()
    position = 0
    for paragraph in paragraphs:
        for k, sentence in enumerate(paragraph):
            position += sum(1 for ch in sentence if not ch.isspace())
            if not (strict and k == len(paragraph) - 1):
                out.add(position)
    return out


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _prf(tp: int, fp: int, fn: int) -> str:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return f"precision {precision:.4f}, recall {recall:.4f} ({tp} right, {fp} extra, {fn} missed)"


def _bounded() -> None:
    cases = {
        "200,000-char article": _long_article(200_000),
        "one 50,000-char sentence": ("kata " * 10_000).strip(),
        "only numbers": " ".join(str(i) for i in range(5_000)),
        "only emoji": "😀🎉🔥 " * 2_000,
        "empty": "",
    }
    print("\nbounded inputs (one call each, default settings):")
    for name, text in cases.items():
        started = time.perf_counter()
        summary = summarize(text)
        elapsed = time.perf_counter() - started
        chars = sum(len(s) for s in summary.sentences)
        print(
            f"  {name:<26} {elapsed * 1000:8.1f} ms   "
            f"{len(summary.sentences)} sentences, {chars} chars"
        )


def _long_article(chars: int) -> str:
    """Varied Indonesian-looking sentences in paragraphs of four, `chars` long."""
    vocabulary = VOCABULARY
    pick = random.Random(4).choice
    paragraphs = []
    while sum(len(p) + 2 for p in paragraphs) < chars:
        sentences = [
            " ".join(pick(vocabulary) for _ in range(14)).capitalize() + "." for _ in range(4)
        ]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)[:chars]


def _targets(rows: Sequence[Row], split_f1: float) -> int:
    by_name = {r.name: r for r in rows}
    held_out = next(r for r in rows if r.name.startswith("Kabar,"))
    shipped = by_name["Kabar (shipped weights, in-sample)"]
    lead = by_name["Lead-3"].rouge[0]
    best_sumy = max(by_name[name].rouge[0] for name in SUMY)
    rate = shipped.rate or 0.0
    checks = [
        (
            f"held-out ROUGE-1 {held_out.rouge[0]:.2f} >= Lead-3 {lead:.2f} + {TARGET_OVER_LEAD}",
            held_out.rouge[0] >= lead + TARGET_OVER_LEAD,
        ),
        (
            f"held-out ROUGE-1 {held_out.rouge[0]:.2f} >= best sumy {best_sumy:.2f} + "
            f"{TARGET_OVER_SUMY}",
            held_out.rouge[0] >= best_sumy + TARGET_OVER_SUMY,
        ),
        (
            f"{rate:.0f} articles per CPU-second >= {TARGET_RATE:.0f} (language detected)",
            rate >= TARGET_RATE,
        ),
        (f"splitter boundary F1 {split_f1:.4f} >= {TARGET_SPLIT_F1}", split_f1 >= TARGET_SPLIT_F1),
    ]
    print("\ntargets:")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in checks) else 1


def typical_length(articles: Sequence[Article]) -> int:
    """The median article length in characters."""
    return int(statistics.median(len(a.text) for a in articles))
