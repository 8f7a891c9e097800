"""Remove news boilerplate (datelines, bylines, captions, "Baca juga", prompts, closing marks)."""

from __future__ import annotations

import re
import unicodedata

from kabar.text.sentences import CLOSERS, TERMINAL, join_wrapped_lines

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINE = re.compile(r"\n\s*\n")
# Markdown that trafilatura and feeds leave in the text: images, links, emphasis, heading marks.
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\s]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((?:https?://|/|www\.)[^)\s]{0,2000}\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)

_BOILERPLATE_LINE = re.compile(
    r"""^\W{0,3}(?:
        (?:baca|simak|lihat|tonton|cek|read|see|watch)\s+
          (?:juga|pula|also|more|selengkapnya|artikel|berita|video|di\ sini)\b
      | (?:halaman|page)\s+(?:selanjutnya|berikutnya|sebelumnya|next|\d+)\b
      | (?:next|previous)\s+page\b
      | (?:artikel|berita|video)\s+(?:terkait|lainnya|menarik|pilihan)\b
      | (?:related|also\ read|read\ more|more\ stories)\b
      | advertisement\b | iklan\s*$ | scroll\s+(?:to|untuk)\b
      | (?:editor|penulis|reporter|pewarta|redaktur|penyunting|fotografer|kontributor|writer
          |author|written\ by|reporting\ by|editing\ by|sumber|source|tags?|topik|kata\ kunci
          |keywords?|foto|photo|gambar|image|video|ilustrasi)\s*[:|]
      | (?:copyright|hak\ cipta|all\ rights\ reserved)\b | ©
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_PROMPT_START = re.compile(
    r"^\W{0,3}(?:share|bagikan|tweet|follow|ikuti|subscribe|berlangganan|dapatkan|download"
    r"|unduh|gabung|join|klik|click|kunjungi|sign\s+up|daftar)\b",
    re.IGNORECASE,
)
_PROMPT_WORDS = re.compile(
    r"google\s+news|whatsapp|telegram|instagram|facebook|twitter|youtube|tiktok|newsletter"
    r"|aplikasi|\bapp\b|channel|saluran|link|tautan|update|notifikasi|berlangganan|subscribe",
    re.IGNORECASE,
)
BOILERPLATE_MAX_WORDS = 40
# "(foto: ...)", "(Foto/ANTARA)", "(dok. pribadi)", "ANTARA FOTO/...": a photo's credit.
_CREDIT = re.compile(
    r"\(\s*(?:foto|photo|dok|doc|ilustrasi|sumber\s+foto|antara\s+foto|image)\b[^()\n]{0,120}\)"
    r"|\bANTARA\s+FOTO/\S+",
    re.IGNORECASE,
)
CAPTION_MAX_WORDS = 60
# A dateline's outlet marks: "(ANTARA)", "Merdeka.com", "CNN Indonesia", "KOMPAS.com".
_DATELINE_DASH = re.compile(r"\s+(?:[-–—]+\s*){1,3}(?=\S)")
_OUTLET = re.compile(r"\(.*\)|\.(?:com|co|id|net|org)\b|\bCNN\b|\bANTARA\b", re.IGNORECASE)
DATELINE_MAX_WORDS = 7
DATELINE_MAX_CHARS = 80
# Closing marks: "(*)", "(ant/rif)", "[tyo]", "(end)", "***" at the end of the last paragraph.
_CLOSING = re.compile(
    r"\s*(?:\(\s*\*+\s*\)|\*{3,}|[\[(]\s*[A-Za-z]{1,10}(?:\s*/\s*[A-Za-z]{1,10}){0,3}\s*[\])])"
    r"(?=\s*\.?\s*$)"
)
_DOUBLED_STOP = re.compile(r"(?<!\.)[.!?…]\s*\.$")
_CLOSING_WORDS = frozenset({"end", "selesai", "tamat", "habis"})
HEADER_MAX_WORDS = 20


# A line that ends with one of these joins the next when extraction broke a sentence in two.
def _set(block: str) -> frozenset[str]:
    return frozenset(block.split())


_JOINING_WORDS = _set(
    """pada di ke dari dan atau yang untuk dengan oleh dalam bagi serta tetapi namun karena
    bahwa sebagai antara hingga sampai tentang kepada para sang the of and or to in on at by
    for with from a an"""
)
_MONTHS = _set(
    """januari februari maret april mei juni juli agustus september oktober november desember
    january february march may june july august october december"""
)


def clean_text(text: str, *, title: str | None = None) -> str:
    """`text` without boilerplate, paragraphs separated by one blank line.

    Drops a repeated title and the header block (bylines, dates), datelines, photo captions,
    "Baca juga:" and share or subscribe prompts, closing marks such as "(*)" or "(ant/rif)",
    and rejoins sentences that extraction broke across lines. Idempotent.
    """
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(_normalize(text)):
        lines = [line for line in join_wrapped_lines(block) if not _is_boilerplate(line)]
        paragraphs.extend(line for line in (_strip_caption(line) for line in lines) if line)
    paragraphs = _rejoin_broken(paragraphs)
    paragraphs = _drop_header(paragraphs, title)
    if paragraphs:
        paragraphs[0] = strip_dateline(paragraphs[0])
    paragraphs = _drop_closing_marks(paragraphs)
    return "\n\n".join(p for p in paragraphs if p)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_HEADING.sub("", text)
    return _SPACES.sub(" ", text)


def _is_boilerplate(line: str) -> bool:
    words = len(line.split())
    if words > BOILERPLATE_MAX_WORDS:
        return False  # a long paragraph is the article, whatever its first word
    if _BOILERPLATE_LINE.match(line):
        return True
    return bool(_PROMPT_START.match(line) and _PROMPT_WORDS.search(line) and words <= 30)


def _strip_caption(line: str) -> str:
    """A short paragraph carrying a photo credit is a caption; a long one keeps its text."""
    if not _CREDIT.search(line):
        return line
    if len(line.split()) <= CAPTION_MAX_WORDS:
        return ""
    return " ".join(_CREDIT.sub("", line).split())


def _ends_complete(paragraph: str) -> bool:
    return paragraph.rstrip(CLOSERS + " ")[-1:] in TERMINAL + ":;" or paragraph[-1:] in CLOSERS


def _rejoin_broken(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs:
        if out and _is_broken(out[-1], paragraph):
            out[-1] = f"{out[-1]} {paragraph}"
        else:
            out.append(paragraph)
    return out


def _is_broken(previous: str, paragraph: str) -> bool:
    """Whether `paragraph` continues a sentence that extraction cut at the end of `previous`."""
    if _ends_complete(previous) or len(previous.split()) < 4:
        return False
    first = paragraph.split(maxsplit=1)[0]
    last = previous.rsplit(maxsplit=1)[-1].lower()
    if first[:1].islower():
        return True
    if last.isdigit() and first.lower().strip(",.") in _MONTHS:
        return True  # "pada 27" + "November 2024"
    return last in _JOINING_WORDS


def _drop_header(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop the leading title, bylines and date lines: short lines that end no sentence."""
    wanted = _fold(title or "")
    start = 0
    while start < len(paragraphs):
        paragraph = paragraphs[start]
        short = len(paragraph.split()) <= HEADER_MAX_WORDS
        if _fold(paragraph) != wanted and (_ends_complete(paragraph) or not short):
            break
        start += 1
    # An article made only of short lines keeps them: better some text than none.
    return paragraphs[start:] if start < len(paragraphs) else paragraphs


def _fold(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


def strip_dateline(paragraph: str) -> str:
    """`paragraph` without a leading dateline such as "JENEPONTO -" or "Jakarta (ANTARA) -"."""
    match = _DATELINE_DASH.search(paragraph, 0, DATELINE_MAX_CHARS)
    if match is None:
        return paragraph
    prefix = paragraph[: match.start()]
    rest = paragraph[match.end() :]
    if not rest or rest[0].islower() or not _is_dateline(prefix):
        return paragraph
    return rest


def _is_dateline(prefix: str) -> bool:
    words = prefix.replace(",", " ").split()
    if not words or len(words) > DATELINE_MAX_WORDS or prefix.rstrip()[-1:] in TERMINAL:
        return False
    if not all(w[0].isupper() or w[0] in "(" or w[0].isdigit() for w in words):
        return False
    shouting = any(len(w) > 2 and w.isupper() for w in words)
    return len(words) == 1 or shouting or "," in prefix or bool(_OUTLET.search(prefix))


def _drop_closing_marks(paragraphs: list[str]) -> list[str]:
    while paragraphs:
        last = _strip_closing(paragraphs[-1])
        if any(ch.isalnum() for ch in last):
            paragraphs[-1] = last
            break
        paragraphs.pop()
    return paragraphs


def _strip_closing(paragraph: str) -> str:
    while True:
        match = _CLOSING.search(paragraph)
        if match is None or not _is_mark(match.group()):
            return paragraph
        paragraph = (paragraph[: match.start()] + paragraph[match.end() :]).rstrip()
        if _DOUBLED_STOP.search(paragraph):
            paragraph = paragraph[:-1].rstrip()  # "tersebut. (*)." leaves "tersebut.."


def _is_mark(mark: str) -> bool:
    inner = mark.strip().strip("[]()").strip()
    if not inner or set(inner) == {"*"}:
        return True
    # Editors' initials are lower case ("ant/rif", "tyo"); an upper-case acronym may be content,
    # so it counts only in the agencies' form "(ANT)" or with a slash.
    return inner.islower() or inner.lower() in _CLOSING_WORDS or "/" in inner or inner == "ANT"
