"""Fixtures for the text tests: the sample article shipped in shared/."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_NAME = "samples/jeneponto-pilkada-2024.txt"


@pytest.fixture(scope="session")
def sample() -> str:
    """The Jeneponto sample article (shared/ sits beside the repository, or one level up)."""
    for shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        path = shared / SAMPLE_NAME
        if path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"shared/{SAMPLE_NAME} not found beside the repository")
