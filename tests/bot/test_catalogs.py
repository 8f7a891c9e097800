"""Both message catalogs define every key the code uses, with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kabar.i18n import LANGUAGES, catalog, message_ids

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*$")
# Key-shaped constants that are not messages: bot_data keys and logger names ("kabar.x").
NOT_MESSAGES_PREFIX = "kabar."


def _namespaces() -> set[str]:
    return {key.split(".", 1)[0] for key in message_ids("en")}


def keys_in_code(packages: tuple[str, ...] = ("bot", "kabar")) -> set[str]:
    """Every string constant in the packages that looks like a message key."""
    found: set[str] = set()
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "db" in path.relative_to(ROOT).parts:  # table.column names, not messages
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and KEY.match(node.value)
                    and not node.value.startswith(NOT_MESSAGES_PREFIX)
                ):
                    found.add(node.value)
    return found


def dynamic_keys() -> set[str]:
    """Keys built at run time: the command menu."""
    from bot.menu import ADMIN_COMMANDS, COMMANDS

    return {f"command.{c}" for c in (*COMMANDS, *ADMIN_COMMANDS)}


def test_code_uses_message_keys() -> None:
    keys = keys_in_code()
    assert "start.welcome" in keys and "settings.main" in keys  # the scan finds keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_in_code_is_in_the_catalog(language: str) -> None:
    namespaces = _namespaces()
    used = {k for k in keys_in_code() if k.split(".", 1)[0] in namespaces} | dynamic_keys()
    missing = sorted(used - set(catalog(language)))
    assert missing == []


def test_no_key_shaped_string_in_the_bot_hides_outside_the_catalog_namespaces() -> None:
    # A typo in a namespace ("setings.x") would otherwise escape the check above.
    namespaces = _namespaces()
    stray = sorted(k for k in keys_in_code(("bot",)) if k.split(".", 1)[0] not in namespaces)
    assert stray == []


def test_catalogs_have_the_same_keys_all_translated() -> None:
    assert message_ids("id") == message_ids("en")
    for language in LANGUAGES:
        assert set(catalog(language)) == message_ids(language)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(message_ids("en")))
def test_placeholders_agree_and_format(key: str) -> None:
    en, id_ = catalog("en")[key], catalog("id")[key]
    assert _fields(en) == _fields(id_), key
    params = dict.fromkeys(_fields(en), "x")
    en.format(**params)
    id_.format(**params)
