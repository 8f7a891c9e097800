"""Turn a feed's bytes into UTF-8, whatever its BOM or (wrong) encoding declaration says."""

from __future__ import annotations

import codecs
import re

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]{0,200}?\?>", re.IGNORECASE)
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = ("utf-16", "utf-32", "ucs-2", "ucs-4")
FALLBACK = "windows-1252"  # what mislabeled Western text almost always is


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header."""
    match = _CHARSET.search(content_type or "")
    return match.group(1).lower() if match else None


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in the XML declaration, if any."""
    decl = _XML_DECL.match(data[:256])
    if not decl:
        return None
    match = _DECL_ENCODING.search(decl.group(0))
    return match.group(1).decode("ascii").lower() if match else None


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(data: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """The text, and a note when the declared encoding was wrong or unknown.

    Order: a BOM wins; then valid UTF-8 (mislabeled UTF-8 is the common error, and Latin text
    is almost never valid UTF-8 by accident); then the HTTP charset, then the XML declaration;
    then windows-1252, which decodes any byte.
    """
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, errors="replace"), None
    header = _known(header_charset(content_type))
    declared = _known(declared_encoding(data))
    for wide in (header, declared):
        if wide and wide.startswith(_WIDE):
            try:
                return data.decode(wide), None
            except (UnicodeDecodeError, LookupError):
                break
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        claimed = header or declared
        if claimed and claimed not in ("utf-8", "ascii") and not text.isascii():
            return text, f"declared {claimed} but the bytes are UTF-8"
        return text, None
    for name in (header, declared):
        if name and name != "utf-8" and not name.startswith(_WIDE):
            try:
                return data.decode(name), None
            except (UnicodeDecodeError, LookupError):  # LookupError: a bytes codec (base64...)
                continue
    label = header or declared or "no encoding"
    return data.decode(FALLBACK, errors="replace"), f"declared {label}, decoded as {FALLBACK}"


def to_utf8_xml(data: bytes, content_type: str | None = None) -> tuple[bytes, str | None]:
    """The document re-encoded as UTF-8 with its XML declaration saying so."""
    text, note = decode_text(data, content_type)
    text = text.lstrip("\ufeff")
    decl = re.match(r"^\s*<\?xml[^>]{0,200}?\?>", text)
    if decl:
        text = '<?xml version="1.0" encoding="utf-8"?>' + text[decl.end() :]
    return text.encode("utf-8"), note
