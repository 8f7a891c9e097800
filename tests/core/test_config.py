"""Settings: defaults, parsing, one-line errors naming the variable, and the secret token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kabar.config import Settings, env_name, load_settings
from kabar.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_match_the_design() -> None:
    cfg = load_settings()
    assert cfg.telegram_api_url == "https://api.telegram.org/bot"
    assert cfg.database_url == "sqlite+aiosqlite:///./data/kabar.db"
    assert cfg.admins == frozenset()
    assert (cfg.timezone, cfg.language) == ("Asia/Jakarta", "id")
    assert cfg.allow_private_networks is False
    assert cfg.send_rate == 25
    assert cfg.token is None


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KABAR_ADMINS", " 12, 34 ,56")
    monkeypatch.setenv("KABAR_SEND_RATE", "30")
    monkeypatch.setenv("KABAR_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("DATABASE_URL", "postgresql://kabar@db/kabar")
    cfg = load_settings()
    assert cfg.admins == {12, 34, 56}
    assert cfg.send_rate == 30
    assert cfg.allow_private_networks is True
    assert cfg.database_url == "postgresql+asyncpg://kabar@db/kabar"


def test_values_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KABAR_LANGUAGE=en\nKABAR_TIMEZONE=Asia/Makassar\n")
    cfg = load_settings()
    assert (cfg.language, cfg.timezone) == ("en", "Asia/Makassar")


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("KABAR_SEND_RATE", "fast", "valid number"),
        ("KABAR_SEND_RATE", "0", "greater than 0"),
        ("KABAR_ADMINS", "12,bob", "'bob' is not a numeric Telegram user id"),
        ("KABAR_TIMEZONE", "Mars/Olympus", "not an IANA timezone"),
        ("KABAR_LANGUAGE", "fr", "'id' or 'en'"),
        ("DATABASE_URL", "mysql://x", "sqlite+aiosqlite"),
        ("TELEGRAM_API_URL", "ftp://x", "http"),
        ("KABAR_ALLOW_PRIVATE_NETWORKS", "maybe", "valid boolean"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith(f"{name}: ")
    assert says in message
    assert "\n" not in message


def test_the_token_never_shows_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "123456:SECRET-token-value"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", secret)
    cfg = load_settings()
    assert cfg.token == secret
    assert secret not in repr(cfg)
    assert secret not in str(cfg.model_dump())
    monkeypatch.setenv("KABAR_SEND_RATE", "x")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert secret not in str(err.value)


def test_every_setting_is_documented_in_env_example_and_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    for field in Settings.model_fields:
        name = env_name(field)
        assert name in documented, f"{name} missing from .env.example"
        assert f"`{name}`" in readme, f"{name} missing from README.md"
    for line in example.splitlines():
        if re.match(r"^#?\s*[A-Z][A-Z0-9_]+=", line):
            previous = example.splitlines()[example.splitlines().index(line) - 1]
            assert previous.startswith("#"), f"no comment above {line}"
