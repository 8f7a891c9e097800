"""Features, the shipped weights and the learner."""

from __future__ import annotations

import numpy as np

from kabar.text.features import FEATURES, document, features, title_overlap
from kabar.text.learn import fit, folds, logistic, oracle, slug_title
from kabar.text.scorer import Scorer, default_scorer

PARAGRAPHS = [
    ["Judul Pendek"],
    ["Harga beras naik di Makassar.", "Pedagang mengeluh."],
    ["1234 5678"],
    ["Pemerintah akan menggelar operasi pasar beras pekan depan."],
]


def test_document_skips_headings_and_letterless_lines() -> None:
    doc = document(PARAGRAPHS, "id")
    assert doc.sentences == [
        "Harga beras naik di Makassar.",
        "Pedagang mengeluh.",
        "Pemerintah akan menggelar operasi pasar beras pekan depan.",
    ]
    assert doc.paragraph_first == [True, False, True]
    assert doc.paragraphs() == [PARAGRAPHS[1], PARAGRAPHS[3]]


def test_feature_matrix() -> None:
    doc = document(PARAGRAPHS, "id")
    matrix = features(doc, "id", title="Harga Beras Makassar")
    column = {name: matrix[:, j] for j, name in enumerate(FEATURES)}
    assert matrix.shape == (3, len(FEATURES))
    assert list(column["first"]) == [1, 0, 0]
    assert list(column["title"]) == [1.0, 0.0, 1 / 3]
    assert column["textrank"].max() == 1.0
    assert not features(doc, "id")[:, FEATURES.index("title")].any()
    assert features(document([], "id"), "id").shape == (0, len(FEATURES))


def test_title_overlap_ignores_stop_words() -> None:
    assert title_overlap([["harga"], []], "Harga yang melambung", "id") == [0.5, 0.0]


def test_shipped_weights_cover_the_features() -> None:
    scorer = default_scorer()
    assert scorer.plain.shape == scorer.titled.shape == (len(FEATURES),)
    assert scorer.plain[FEATURES.index("position")] > 0  # news puts the point first
    assert scorer.titled[FEATURES.index("title")] > 0
    again = Scorer.from_dict(scorer.to_dict())
    assert np.allclose(again.plain, scorer.plain)


def test_missing_weights_weigh_nothing() -> None:
    scorer = Scorer.from_dict({"plain": {"first": 2.0}, "titled": {}})
    matrix = np.eye(len(FEATURES))
    assert scorer.score(matrix)[FEATURES.index("first")] == 2.0
    assert not scorer.score(matrix, titled=True).any()


def test_oracle_finds_the_matching_sentences() -> None:
    sentences = ["Kucing tidur di sofa.", "Harga beras naik tajam.", "Petani panen raya."]
    assert oracle(sentences, "Harga beras naik tajam. Petani panen raya.", size=2) == [1, 2]
    assert oracle(sentences, "Harga beras naik tajam.", size=3) == [1]


def test_logistic_learns_the_direction() -> None:
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(400), rng.normal(size=400)])
    y = (x[:, 1] + rng.normal(scale=0.5, size=400) > 0).astype(float)
    assert logistic(x, y)[1] > 1.0


def test_fit_gives_both_vectors() -> None:
    from kabar.text.learn import Example

    x = np.tile(np.eye(len(FEATURES))[FEATURES.index("first")], (4, 1))
    x[2:, FEATURES.index("first")] = 0
    example = Example(["a", "b", "c", "d"], x, x, np.array([1.0, 1.0, 0.0, 0.0]))
    scorer = fit([example])
    assert scorer.plain[FEATURES.index("first")] > 0


def test_slug_titles_and_folds() -> None:
    assert slug_title("https://www.merdeka.com/peristiwa/dua-akun-dilaporkan-ke-polisi.html") == (
        "dua akun dilaporkan ke polisi"
    )
    assert slug_title("http://www.goal.com/id/berita/2435776") is None
    parts = folds(10, 3)
    assert sorted(i for part in parts for i in part) == list(range(10))
