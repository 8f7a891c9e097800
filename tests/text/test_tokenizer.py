"""sumy runs on Kabar's tokenizer offline, without NLTK data."""

from __future__ import annotations

from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer

from kabar.text.centrality import ALGORITHMS, best, ratings, sumy_document
from kabar.text.tokenizer import Tokenizer
from kabar.text.words import words

TEXT = (
    "Polres Jeneponto mengundang insan pers. Kompol Muh. Idris, S.Sos. memimpin acara.\n\n"
    "Acara berlangsung di aula. Semua peserta pulang dengan gembira."
)


def test_tokenizer_shape() -> None:
    tokenizer = Tokenizer("id")
    assert tokenizer.language == "id"
    assert tokenizer.to_sentences("Ia datang. Lalu pergi.") == ("Ia datang.", "Lalu pergi.")
    assert tokenizer.to_words("Rp 1.500.000, kata-kata!") == ("Rp", "1.500.000", "kata-kata")


def test_words() -> None:
    assert words("3,5 persen pada 29/05/2024, e-KTP.") == [
        "3,5",
        "persen",
        "pada",
        "29/05/2024",
        "e-KTP",
    ]


def test_sumy_parser_and_summarizer_accept_it() -> None:
    parser = PlaintextParser.from_string(TEXT, Tokenizer("id"))
    assert len(parser.document.sentences) == 4
    assert len(LexRankSummarizer()(parser.document, 2)) == 2


def test_every_algorithm_rates_every_sentence() -> None:
    model = sumy_document(
        [
            ["Harga beras naik di pasar Makassar.", "Pedagang beras mengeluh harga naik."],
            ["Pemerintah menggelar operasi pasar beras di Makassar."],
        ],
        "id",
    )
    for name in ALGORITHMS:
        assert len(ratings(name, model, "id")) == 3
        assert len(best(name, model, "id", 2)) == 2
