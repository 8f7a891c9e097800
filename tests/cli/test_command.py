"""The `kabar` command itself: help, version, `run` without a token, a bad setting, db upgrade."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from tests.cli.conftest import Kabar


def test_version(kabar: Kabar) -> None:
    result = kabar("--version")
    assert result.returncode == 0
    assert version("kabar") in result.stdout


@pytest.mark.parametrize(
    "args",
    [(), ("run",), ("db",), ("db", "upgrade"), ("feeds",), ("feeds", "import"), ("health",)],
)
def test_every_subcommand_has_help(kabar: Kabar, args: tuple[str, ...]) -> None:
    result = kabar(*args, "--help")
    assert result.returncode == 0
    assert "Usage: " in result.stdout


def test_run_without_a_token_explains_botfather(kabar: Kabar) -> None:
    result = kabar("run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr
    assert ".env" in result.stderr


def test_a_bad_setting_stops_with_one_line(kabar: Kabar) -> None:
    result = kabar("feeds", "list", KABAR_SEND_RATE="lots")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "KABAR_SEND_RATE" in lines[0]


def test_db_upgrade_is_idempotent(kabar: Kabar) -> None:
    first = kabar("db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty" in first.stdout
    second = kabar("db", "upgrade")
    assert "up to date" in second.stdout
