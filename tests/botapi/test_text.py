"""The HTML parser against tdlib's own test cases, UTF-16 counting, trimming and commands."""

from __future__ import annotations

import pytest

from tests.botapi.errors import ApiError
from tests.botapi.text import (
    HtmlError,
    checked_link,
    command_entities,
    format_text,
    parse_html,
    utf16_len,
)

# (input, tdlib's error text) from tdlib's test/message_entities.cpp, plus the common cases.
ERRORS = [
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    (
        "🏟 🏟&lt;<i    aba>",
        'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
    ),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    (
        "🏟 🏟&lt;<i>a</em   >",
        'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
    ),
    (
        "&#57311;",
        "Text contains invalid Unicode characters after decoding HTML entities, check for "
        "unmatched surrogate code units",
    ),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("I <3 Jakarta", 'Unsupported start tag "3" at byte offset 2'),
    ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="x">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
]


@pytest.mark.parametrize(("source", "message"), ERRORS)
def test_html_errors_match_tdlib(source: str, message: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source, strict=False)
    assert str(caught.value) == message


def test_html_entities_and_offsets_are_utf16() -> None:
    text, entities = parse_html("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>")
    assert text == "🏟 🏟🏟 ><🏟"
    assert entities == [
        {"type": "italic", "offset": 5, "length": 7},
        {"type": "bold", "offset": 9, "length": 3},
    ]


def test_html_decodes_only_the_four_named_entities() -> None:
    text, _ = parse_html("&lt;&gt;&amp;&quot;&laquo;&#12345678;&#x41;&#66;", strict=False)
    assert text == '<>&"&laquo;&#12345678;AB'


def test_strict_mode_rejects_a_bare_ampersand_that_telegram_would_show() -> None:
    assert parse_html("Q&A", strict=False) == ("Q&A", [])
    with pytest.raises(HtmlError, match=r'Unescaped "&" at byte offset 1'):
        parse_html("Q&A")
    with pytest.raises(HtmlError, match="Unescaped"):
        parse_html('<a href="https://x.id/?a=1&b=2">x</a>')
    assert parse_html('<a href="https://x.id/?a=1&amp;b=2">x</a>')[1][0]["url"] == (
        "https://x.id/?a=1&b=2"
    )


def test_pre_code_language_and_nesting_like_tdlib() -> None:
    _, pre_code = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert pre_code == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    _, apart = parse_html('<pre> <code class="language-fift">ab</code></pre>')
    assert apart == [
        {"type": "pre", "offset": 0, "length": 3},
        {"type": "code", "offset": 1, "length": 2},
    ]


def test_all_supported_tags() -> None:
    source = (
        "<b>b</b><strong>b</strong><i>i</i><em>i</em><u>u</u><ins>u</ins><s>s</s>"
        "<strike>s</strike><del>s</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">p</span><code>c</code><blockquote>q</blockquote>'
        '<blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍'
        '</tg-emoji><a href="tg://user?id=42">m</a><a href="example.com">l</a>'
    )
    text, entities = parse_html(source)
    assert text == "bbiiuusssppcqe👍ml"
    kinds = [e["type"] for e in entities]
    assert kinds == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
        "text_mention",
        "text_link",
    ]
    assert entities[-1]["url"] == "http://example.com/"
    assert entities[-2]["user"]["id"] == 42


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://kompas.com/a?b=1", "https://kompas.com/a?b=1"),
        ("telegram.org", "http://telegram.org/"),
        ("https://telegram.org", "https://telegram.org/"),
        ("tg://resolve?domain=kabar", "tg://resolve?domain=kabar"),
        ("javascript:alert(1)", None),
        ("ftp://example.com/x", None),
        ("not a link", None),
    ],
)
def test_links_are_checked_like_telegram(url: str, kept: str | None) -> None:
    assert checked_link(url) == kept


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("é") == 1
    assert utf16_len("🏟") == 2
    assert utf16_len("👍🏽") == 4


def test_text_limits_are_counted_after_parsing_in_utf16() -> None:
    fits = "😀" * 2048  # 4096 UTF-16 units
    assert format_text(f"<b>{fits}</b>", "HTML", None)[0] == fits
    with pytest.raises(ApiError, match="message is too long"):
        format_text(fits + "a", "HTML", None)
    with pytest.raises(ApiError, match="message text is empty"):
        format_text("<b> \n </b>", "HTML", None)
    with pytest.raises(ApiError, match="message text is empty"):
        format_text(None, None, None)


def test_surrounding_whitespace_is_trimmed_and_entities_clipped() -> None:
    text, entities = format_text("\n <b> hi</b> \n", "HTML", None)
    assert text == "hi"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_markdown_is_refused_clearly() -> None:
    with pytest.raises(ApiError) as caught:
        format_text("*x*", "MarkdownV2", None)
    assert caught.value.code == 400
    assert "only HTML is" in caught.value.description


def test_command_entities_like_telegram() -> None:
    text = "/start topik_politik and /help@kabar_test_bot but not a/b or /x/y"
    assert command_entities(text) == [
        {"type": "bot_command", "offset": 0, "length": 6},
        {"type": "bot_command", "offset": 25, "length": 20},
    ]
    assert command_entities("🏟 /cari banjir") == [{"type": "bot_command", "offset": 3, "length": 5}]
