"""What can be checked of the Dockerfile and docker-compose.yml without a Docker engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from kabar.cli import main
from kabar.config import Settings, env_name

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_VARS = {env_name(f) for f in Settings.model_fields}


def _dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def _is_kabar_command(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in main.commands


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    instructions = _dockerfile()
    stages = [arg for op, arg in instructions if op == "FROM"]
    assert len(stages) >= 2
    assert any(" AS " in s.upper() for s in stages[:-1])
    users = [arg for op, arg in instructions if op == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    health = next(arg for op, arg in instructions if op == "HEALTHCHECK")
    cmd = json.loads(health.split("CMD", 1)[1])
    assert cmd[0] == "kabar"
    assert _is_kabar_command(cmd[1:])
    assert json.loads(next(arg for op, arg in instructions if op == "ENTRYPOINT")) == ["kabar"]
    assert _is_kabar_command(json.loads(next(arg for op, arg in instructions if op == "CMD")))


def test_dockerfile_copies_files_that_exist_and_sets_known_variables() -> None:
    for op, arg in _dockerfile():
        if op == "COPY" and not arg.startswith("--from"):
            for source in arg.split()[:-1]:
                assert (ROOT / source).exists(), f"COPY source {source} is missing"
        if op == "ENV":
            for name in re.findall(r"([A-Z_][A-Z0-9_]*)=", arg):
                assert name in SETTINGS_VARS or name.startswith(("PIP_", "PYTHON", "PATH")), name


def test_compose_parses_and_uses_real_commands_and_variables() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kabar", "postgres"} <= set(services)
    kabar = services["kabar"]
    assert kabar["build"] == "."
    assert _is_kabar_command(kabar["command"])
    run = main.commands["run"]
    role = next(p for p in run.params if p.name == "role")
    assert kabar["command"][kabar["command"].index("--role") + 1] in role.type.choices  # type: ignore[attr-defined]
    for name in kabar["environment"]:
        assert name in SETTINGS_VARS
    url = kabar["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://")
    pg_env = services["postgres"]["environment"]
    assert f"{pg_env['POSTGRES_USER']}:{pg_env['POSTGRES_PASSWORD']}@postgres:5432/" in url
    assert url.endswith("/" + pg_env["POSTGRES_DB"])
    assert kabar["depends_on"]["postgres"]["condition"] == "service_healthy"
