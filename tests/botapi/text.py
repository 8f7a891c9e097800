"""Message text as Telegram sees it: HTML parse mode (tdlib's rules and wording), UTF-16 lengths.

The HTML parser follows tdlib's `parse_html` (td/telegram/MessageEntity.cpp) step by step, so
the error descriptions and byte offsets match what the real Bot API returns. It scans plain
runs with one regex search, so a 4096-character message costs microseconds, not a Python loop
per character.

One deliberate difference, switchable with `strict=False`: Telegram shows an "&" that starts no
known entity as a literal "&"; the strict mode (the default in this server) rejects it, because
it always means text went out unescaped, and the same text with a "<" would have failed.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit

from tests.botapi.errors import bad_request

MAX_TEXT_LENGTH = 4096
SPACES = " \t\r\n\v\f\0"
ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    }
)
# tdlib's MessageEntity::get_type_priority: ties at one offset and length sort by it.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPECIAL = re.compile(r"[<&]")
# Fast paths for the well-formed tags bots send most; anything else takes tdlib's slow path.
_PLAIN_OPEN = re.compile(r"<([a-zA-Z-]+)>")
_PLAIN_LINK = re.compile(r"""<a href=(["'])([^"'&<>\s]*)\1>""")
_PLAIN_CLOSE = re.compile(r"</([a-zA-Z-]*)>")
_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST = re.compile(r"^[A-Za-z0-9\u00a1-\uffff-]+(\.[A-Za-z0-9\u00a1-\uffff-]+)*\.?$")
_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,19})$", re.IGNORECASE)

Entity = dict[str, Any]


class HtmlError(Exception):
    """tdlib's parse error text (without the "can't parse entities: " prefix)."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) >> 1


def byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of `text[index]`, as tdlib reports positions."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def sort_entities(entities: list[Entity]) -> None:
    """tdlib's order: by offset, longer first, then by type priority."""
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


def checked_link(url: str) -> str | None:
    """The URL as Telegram keeps it for a text link, or None when Telegram would drop it."""
    if not url or any(c in SPACES for c in url):
        return None
    match = _SCHEME.match(url)
    if match and url[match.end() : match.end() + 2] == "//":
        scheme = match.group(1).lower()
    elif match and match.group(1).lower() in ("tg", "ton", "mailto"):
        return url
    else:
        scheme, url = "http", "http://" + url
    if scheme in ("tg", "ton"):
        return url
    if scheme not in ("http", "https"):
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or not _HOST.match(host) or ("." not in host and host != "localhost"):
        return None
    if not parts.path:
        rest = url[len(parts.scheme) + 3 + len(parts.netloc) :]
        url = url[: len(url) - len(rest)] + "/" + rest
    return url


def _decode_entity(s: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at s[pos] == "&" like tdlib's decode_html_entity."""
    n = len(s)
    end = pos + 1
    if end < n and s[end] == "#":
        end += 1
        code = 0
        if end < n and s[end] == "x":
            end += 1
            while end < n and s[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(s[end], 16)
                end += 1
        else:
            while end < n and "0" <= s[end] <= "9":
                code = code * 10 + ord(s[end]) - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(code)
    else:
        start = end
        while end < n and s[end].isascii() and s[end].isalpha():
            end += 1
        named = NAMED_ENTITIES.get(s[start:end])
        if named is None:
            return None, pos
        char = named
    if end < n and s[end] == ";":
        end += 1
    return char, end


class _Open:
    __slots__ = ("argument", "offset", "piece", "tag")

    def __init__(self, tag: str, argument: str, offset: int, piece: int):
        self.tag = tag
        self.argument = argument
        self.offset = offset
        self.piece = piece


class _HtmlParser:
    """One parse of one text; see tdlib's parse_html for the algorithm this mirrors."""

    def __init__(self, source: str, strict: bool):
        self.s = source
        self.n = len(source)
        self.strict = strict
        self.out: list[str] = []
        self.u16 = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []
        self.surrogate = False

    def run(self) -> tuple[str, list[Entity]]:
        s, i = self.s, 0
        while True:
            match = _SPECIAL.search(s, i)
            if match is None:
                self._emit(s[i:])
                break
            j = match.start()
            if j > i:
                self._emit(s[i:j])
            i = self._ampersand(j) if s[j] == "&" else self._tag(j)
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        if self.surrogate:
            raise HtmlError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        sort_entities(self.entities)
        return "".join(self.out), self.entities

    def _emit(self, piece: str) -> None:
        if piece:
            self.out.append(piece)
            self.u16 += utf16_len(piece)

    def _byte(self, index: int) -> int:
        return byte_offset(self.s, index)

    def _ampersand(self, j: int) -> int:
        char, end = _decode_entity(self.s, j)
        if char is None:
            self._unescaped_ampersand(j)
            self._emit("&")
            return j + 1
        if 0xD800 <= ord(char) <= 0xDFFF:
            self.surrogate = True  # reported at the end, as tdlib does
            self.u16 += 1
            return end
        self._emit(char)
        return end

    def _unescaped_ampersand(self, j: int) -> None:
        if self.strict:
            raise HtmlError(
                f'Unescaped "&" at byte offset {self._byte(j)} (the Kabar test server is '
                "stricter than Telegram here: escape it as &amp;)"
            )

    def _ch(self, i: int) -> str:
        return self.s[i] if i < self.n else ""

    def _is_space(self, i: int) -> bool:
        # tdlib reads the terminating NUL as a space: the end of text counts as one.
        return i >= self.n or self.s[i] in SPACES

    def _tag(self, begin: int) -> int:
        if self._ch(begin + 1) == "/":
            return self._end_tag(begin)
        return self._start_tag(begin)

    def _start_tag(self, begin: int) -> int:
        plain = _PLAIN_OPEN.match(self.s, begin)
        if plain is not None:
            tag = plain[1].lower()
            if tag in ALLOWED_TAGS and tag != "span":
                self.stack.append(_Open(tag, "", self.u16, len(self.out)))
                return plain.end()
        link = _PLAIN_LINK.match(self.s, begin)
        if link is not None:
            self.stack.append(_Open("a", link[2], self.u16, len(self.out)))
            return link.end()
        s, i = self.s, begin + 1
        while not self._is_space(i) and s[i] != ">":
            i += 1
        if i >= self.n:
            raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
        tag = s[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {self._byte(begin)}')
        argument = ""
        while self._ch(i) != ">":
            while i < self.n and s[i] in SPACES:
                i += 1
            if self._ch(i) == ">":
                break
            attr_begin = i
            while not self._is_space(i) and s[i] not in "=>":
                i += 1
            name = s[attr_begin:i]
            if not name:
                raise HtmlError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}'
                )
            while i < self.n and s[i] in SPACES:
                i += 1
            if self._ch(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise HtmlError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self._byte(begin)}'
                )
            i += 1
            while i < self.n and s[i] in SPACES:
                i += 1
            if i >= self.n:
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
            value, i = self._attribute_value(i)
            if i >= self.n:
                raise HtmlError(f"Unclosed start tag at byte offset {self._byte(begin)}")
            argument = _argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}'
            )
        self.stack.append(_Open(tag, argument, self.u16, len(self.out)))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        s = self.s
        if s[i] not in "'\"":
            token_begin = i
            while i < self.n and ((s[i].isascii() and s[i].isalnum()) or s[i] in ".-"):
                i += 1
            if not self._is_space(i) and s[i] != ">":
                raise HtmlError(
                    f"Unexpected end of name token at byte offset {self._byte(token_begin)}"
                )
            return s[token_begin:i].lower(), i
        quote = s[i]
        i += 1
        parts: list[str] = []
        while i < self.n and s[i] != quote:
            if s[i] == "&":
                char, end = _decode_entity(s, i)
                if char is not None:
                    parts.append(char)
                    i = end
                    continue
                self._unescaped_ampersand(i)
            parts.append(s[i])
            i += 1
        if i < self.n:
            i += 1
        return "".join(parts), i

    def _end_tag(self, begin: int) -> int:
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self._byte(begin)}")
        s, i = self.s, begin + 1
        plain = _PLAIN_CLOSE.match(s, begin)
        if plain is not None:
            end_name, i = plain[1].lower(), plain.end() - 1
        else:
            while not self._is_space(i) and s[i] != ">":
                i += 1
            end_name = s[begin + 2 : i].lower()
            while i < self.n and s[i] in SPACES:
                i += 1
        if self._ch(i) != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self._byte(begin)}")
        top = self.stack[-1]
        if end_name and end_name != top.tag:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self._byte(begin)}, "
                f'expected "</{top.tag}>", found "</{end_name}>"'
            )
        if self.u16 > top.offset:
            self._close(top)
        self.stack.pop()
        return i + 1

    def _close(self, top: _Open) -> None:
        offset, length, tag = top.offset, self.u16 - top.offset, top.tag
        simple = _SIMPLE_TAGS.get(tag)
        if simple is not None:
            self._add(simple, offset, length)
        elif tag == "tg-emoji":
            if not top.argument.isdigit() or int(top.argument) == 0:
                raise HtmlError("Invalid custom emoji identifier specified")
            self._add("custom_emoji", offset, length, custom_emoji_id=top.argument)
        elif tag == "a":
            self._link(top, offset, length)
        elif tag == "pre":
            last = self.entities[-1] if self.entities else None
            if _same_span(last, offset, length, "code") and last and last.get("language"):
                last["type"] = "pre"
            else:
                self._add("pre", offset, length)
        elif tag == "code":
            last = self.entities[-1] if self.entities else None
            if _same_span(last, offset, length, "pre") and last and top.argument:
                last["language"] = top.argument
            elif top.argument:
                self._add("code", offset, length, language=top.argument)
            else:
                self._add("code", offset, length)
        else:  # blockquote
            kind = "expandable_blockquote" if top.argument else "blockquote"
            self._add(kind, offset, length)

    def _link(self, top: _Open, offset: int, length: int) -> None:
        url = top.argument or "".join(self.out[top.piece :])
        user = _USER_LINK.match(url.strip())
        if user:
            person = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
            self._add("text_mention", offset, length, user=person)
            return
        checked = checked_link(url)
        if checked is not None:
            self._add("text_link", offset, length, url=checked)

    def _add(self, kind: str, offset: int, length: int, **extra: Any) -> None:
        self.entities.append({"type": kind, "offset": offset, "length": length, **extra})


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _same_span(entity: Entity | None, offset: int, length: int, kind: str) -> bool:
    return (
        entity is not None
        and entity["type"] == kind
        and entity["offset"] == offset
        and entity["length"] == length
    )


def _argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[9:]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[3:]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return current


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Plain text and Bot API entities of an HTML parse-mode text; HtmlError as tdlib words it."""
    return _HtmlParser(source, strict).run()


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Drop leading and trailing whitespace as Telegram does, clipping the entities."""
    stripped = text.strip(SPACES)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(SPACES))])
    total = utf16_len(stripped)
    clipped: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


def check_entities(value: Any, text: str) -> list[Entity]:
    """Explicit `entities` (sent instead of a parse mode), checked for shape and bounds."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[Entity] = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse MessageEntity: MessageEntity must be an Object")
        kind, offset, length = item.get("type"), item.get("offset"), item.get("length")
        if kind not in ENTITY_TYPES:
            raise bad_request(f'can\'t parse MessageEntity: Unsupported type "{kind}" specified')
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise bad_request("can't parse MessageEntity: wrong offset or length")
        if length > 0 and offset + length <= total:
            result.append(dict(item))
    sort_entities(result)
    return result


def format_text(
    text: str | None, parse_mode: str | None, entities: Any, *, strict: bool = True
) -> tuple[str, list[Entity]]:
    """The stored text and entities of a message, or the ApiError Telegram would return.

    The result may be shared between messages with the same input: do not mutate it.
    """
    if entities is None:
        return _format_cached(text or "", (parse_mode or "").lower(), strict)
    return _format(text or "", (parse_mode or "").lower(), entities, strict)


@functools.lru_cache(maxsize=1024)
def _format_cached(source: str, mode: str, strict: bool) -> tuple[str, list[Entity]]:
    # A broadcast sends one text to every chat: parse it once, share the result.
    return _format(source, mode, None, strict)


def _format(source: str, mode: str, entities: Any, strict: bool) -> tuple[str, list[Entity]]:
    if mode == "html":
        try:
            plain, found = parse_html(source, strict=strict)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(
            f"can't parse entities: parse_mode {mode} is not supported by the Kabar test "
            "Bot API server (only HTML is)"
        )
    elif mode in ("", "none"):
        plain, found = source, check_entities(entities, source)
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = trim(plain, found)
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return plain, found


def command_entities(text: str) -> list[Entity]:
    """bot_command entities Telegram attaches to a user's message ("/start", "/help@bot")."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]
