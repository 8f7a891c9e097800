"""Run the real `kabar` command in a subprocess with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kabar.config import Settings, env_name

Kabar = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kabar(tmp_path: Path, sqlite_url: str) -> Kabar:
    """Call `kabar ARGS...` in tmp_path with its own database and no inherited settings."""
    env = {
        k: v for k, v in os.environ.items() if k not in {env_name(f) for f in Settings.model_fields}
    }
    env["DATABASE_URL"] = sqlite_url

    def run(
        *args: str, stdin: str | None = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kabar", *args],
            cwd=tmp_path,
            env={**env, **extra_env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
