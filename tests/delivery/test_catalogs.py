"""Every message key the delivery code uses exists in both catalogs."""

from __future__ import annotations

import re
from pathlib import Path

from kabar.i18n import message_ids

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["kabar/digest_render.py", "kabar/broadcast.py", "kabar/digest.py"]


def test_every_delivery_key_is_in_both_catalogs() -> None:
    used: set[str] = set()
    for source in SOURCES:
        text = (ROOT / source).read_text()
        used |= set(re.findall(r'"((?:digest|broadcast|duration)\.[a-z_]+)"', text))
    assert {"digest.header", "broadcast.progress", "duration.minutes"} <= used
    for language in ("id", "en"):
        missing = used - message_ids(language)
        assert not missing, f"{language} lacks {sorted(missing)}"
