"""Split text into paragraphs and sentences, knowing the abbreviations of Indonesian news."""

from __future__ import annotations

import re

from kabar.text.abbreviations import ambiguous, titles

TERMINAL = ".!?…"
CLOSERS = "\"'”’»)]}"
OPENERS = "\"'“‘«([{"
# Scripts that end sentences without a following space (Chinese, Japanese, Thai-less CJK marks).
_CJK_TERMINAL = frozenset("。！？")
_CJK_END = re.compile(r"([。！？])(?=\S)")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_TOKEN = re.compile(r"\S+")
_MULTI_DOT = re.compile(r"(?:[^\W\d_]{1,4}\.)+[^\W\d_]{1,4}")
_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")
_LIST_ITEM = re.compile(r"(?:[-•*–]|\d{1,2}[.)])\s")
_FREE_CLOSERS = frozenset("”’»")
_FREE_OPENERS = frozenset("“‘«")
_STRAIGHT = frozenset("\"'")
HEADING_WORDS = 10  # a line this short without final punctuation is a heading, not a wrapped line
WRAP_WIDTH = 100  # text wrapped by hand or by mail keeps its lines shorter than this


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """The sentences of `text` in order, whitespace normalized; a blank line always ends one."""
    return [s for paragraph in split_paragraphs(text, language) for s in paragraph]


def split_paragraphs(text: str, language: str | None = None) -> list[list[str]]:
    """The paragraphs of `text` (separated by blank lines), each as its list of sentences."""
    out: list[list[str]] = []
    for block in _BLANK_LINE.split(text):
        sentences: list[str] = []
        for line in join_wrapped_lines(block):
            sentences.extend(_split_line(line, language))
        if sentences:
            out.append(sentences)
    return out


def join_wrapped_lines(block: str) -> list[str]:
    """The lines of one paragraph, hard-wrapped ones rejoined; headings and list items stay.

    A block whose lines are all short is hard-wrapped prose; in a block with a long line
    (extractors such as trafilatura put one paragraph per line) each line stands alone unless
    the next starts in lower case.
    """
    raw = [line.strip() for line in block.split("\n")]
    raw = [line for line in raw if line]
    wrapped = all(len(line) <= WRAP_WIDTH for line in raw)
    lines: list[str] = []
    for k, line in enumerate(raw):
        if lines and _continues(raw[k - 1], line, wrapped=wrapped):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def _continues(previous: str, line: str, *, wrapped: bool) -> bool:
    if _LIST_ITEM.match(line):
        return False
    if line[0].islower():
        return True
    if not wrapped:
        return False
    if previous.rstrip(CLOSERS)[-1:] in TERMINAL + ":":
        return True  # the splitter decides, as for any sentence end
    return len(previous.split()) > HEADING_WORDS


def _split_line(line: str, language: str | None) -> list[str]:
    tokens = _attach_quotes(_TOKEN.findall(_CJK_END.sub(r"\1 ", line)))
    sentences: list[str] = []
    start = 0
    for i in range(len(tokens) - 1):
        previous = tokens[i - 1] if i > start else ""
        if ends_sentence(tokens[i], tokens[i + 1], language, previous=previous):
            sentences.append(" ".join(tokens[start : i + 1]))
            start = i + 1
    if start < len(tokens):
        sentences.append(" ".join(tokens[start:]))
    return sentences


def _attach_quotes(tokens: list[str]) -> list[str]:
    """Glue free-standing quote marks (`kata dia . ” Lalu`) to the word they close or open."""
    out: list[str] = []
    glue_next = False
    straight_open = False  # parity of free-standing straight quotes seen so far
    for token in tokens:
        closes = token in _FREE_CLOSERS
        if token in _STRAIGHT:
            closes = straight_open
            straight_open = not straight_open
        if glue_next:
            out[-1] = f"{out[-1]} {token}"
            glue_next = False
        elif closes and out:
            out[-1] = f"{out[-1]} {token}"
        else:
            out.append(token)
        glue_next = token in _FREE_OPENERS or (token in _STRAIGHT and not closes)
    return out


def ends_sentence(
    token: str, following: str, language: str | None = None, *, previous: str = ""
) -> bool:
    """Whether a sentence ends after `token` when `following` comes next.

    `previous` is the word before `token` in the same sentence ("" when `token` opens it, so that
    "1." is a list number and "J.C." after a comma is a degree, not a name's initials).
    """
    core = token.rstrip(CLOSERS + " ")
    if core[-1:] in _CJK_TERMINAL:
        return True
    if not core or core[-1] not in TERMINAL or not _starts_sentence(following):
        return False
    if core.endswith(("..", "…")):
        return False  # an ellipsis trails off inside a sentence far more often than it ends one
    if core[-1] != "." or len(core) < len(token.rstrip(" ")):
        return True  # "!" or "?", or a stop inside a closing quote or bracket
    word = core[:-1].lstrip(OPENERS)
    return _ends_after_word(word, following.lstrip(OPENERS + " "), language, previous=previous)


def _starts_sentence(following: str) -> bool:
    """Whether `following` can open a sentence: a capital, a digit, a quote or bracket."""
    if following[:1] in "([" and following.rstrip(".").endswith((")", "]")):
        return True  # an editor's mark such as "(ant/rif)" stands apart
    start = following.lstrip(OPENERS + " ")
    opened = len(start) < len(following)
    head = start[:1]
    return not (
        head.islower() or (head.isalnum() and not (head.isupper() or head.isdigit() or opened))
    )


def _ends_after_word(word: str, start: str, language: str | None, *, previous: str) -> bool:
    lower = word.lower()
    if not word or lower in ambiguous(language):
        return True
    if lower in titles(language) or (len(word) == 1 and word.isalpha()):
        return False  # a title before a name, or an initial as in "B. J. Habibie"
    if word.isdigit():
        # "1." opening a sentence or following a colon numbers a list item
        return bool(previous) and not previous.endswith(":")
    if _INITIALS.fullmatch(word) and not previous.endswith(","):
        return False  # "J.C. Leyendecker"; after a comma "S.H." is a degree
    if _MULTI_DOT.fullmatch(word):
        # Degrees (S.Sos., M.Si.) follow a name; another abbreviation next means a run of them.
        nxt = start.rstrip(",;:")
        return not (nxt.endswith(".") and len(nxt) <= 6)
    return True
