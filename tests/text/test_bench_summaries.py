"""bench/summaries runs end to end on a tiny data set and says when the data is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import summaries

ARTICLES = [
    (
        "Jakarta, CNN Indonesia - - Harga beras naik tajam di pasar Jakarta pekan ini. "
        "Pedagang menyebut pasokan dari petani berkurang.\n\n"
        "Pemerintah berjanji menggelar operasi pasar. Warga berharap harga segera turun.",
        "Harga beras naik tajam di Jakarta karena pasokan berkurang.",
    ),
    (
        "Merdeka.com - Timnas Indonesia menang 2 - 1 atas Vietnam di Hanoi, Senin (12/3). "
        "Gol kemenangan dicetak pada menit akhir.\n\n"
        "Pelatih memuji semangat para pemain. Laga berikutnya digelar di Jakarta.",
        "Timnas Indonesia menang atas Vietnam berkat gol menit akhir.",
    ),
]


def write_data(directory: Path, copies: int) -> None:
    with (directory / "dev.jsonl").open("w", encoding="utf-8") as out:
        for n in range(copies):
            for k, (text, summary) in enumerate(ARTICLES):
                paragraphs = [p.split(". ") for p in text.split("\n\n")]
                row = {
                    "id": f"{n}-{k}",
                    "source_url": f"https://kabar.test/berita/artikel-nomor-{n}-{k}.html",
                    "text": text,
                    "summary": summary,
                    "sentences": paragraphs,
                }
                out.write(json.dumps(row) + "\n")


def test_missing_data_is_said_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KABAR_INDOSUM_DIR", str(tmp_path / "nowhere"))
    assert summaries.main([]) == 1
    out = capsys.readouterr().out
    assert "no IndoSum dev data" in out
    assert "KABAR_INDOSUM_DIR" in out


def test_runs_on_a_tiny_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_data(tmp_path, copies=3)
    summaries.main([str(tmp_path), "--folds", "2"])
    out = capsys.readouterr().out
    for name in (
        "Kabar, 2-fold held-out",
        "Lead-3",
        "sumy LexRank",
        "sumy TextRank",
        "sumy LSA",
        "sumy Luhn",
        "splitter boundary F1",
        "200,000-char article",
        "targets:",
    ):
        assert name in out


def test_learner_writes_weights_the_summarizer_reads(tmp_path: Path) -> None:
    from kabar.text.learn import main as learn
    from kabar.text.scorer import Scorer

    write_data(tmp_path, copies=2)
    output = tmp_path / "scorer.json"
    assert learn([str(tmp_path), "--output", str(output)]) == 0
    scorer = Scorer.from_dict(json.loads(output.read_text(encoding="utf-8")))
    assert scorer.notes["data"] == "IndoSum dev sample, 4 articles"
    assert learn([str(tmp_path / "missing")]) == 2
