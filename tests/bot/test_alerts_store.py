"""Saved alerts: added, listed, removed, with limits and clear refusals."""

from __future__ import annotations

import pytest

from kabar import alerts
from kabar.db import Database
from kabar.errors import InvalidInputError, NotFoundError
from tests.bot.factories import add_chat


async def test_add_list_remove(db: Database) -> None:
    await add_chat(db, 1)
    first = await alerts.add_alert(db, 1, '  banjir   "jakarta utara" -hoaks ')
    assert first.query == 'banjir "jakarta utara" -hoaks'
    await alerts.add_alert(db, 1, "gempa")
    assert [a.query for a in await alerts.list_alerts(db, 1)] == [first.query, "gempa"]
    removed = await alerts.remove_alert_by_text(db, 1, "GEMPA")
    assert removed.query == "gempa"
    removed = await alerts.remove_alert_by_text(db, 1, "1")
    assert removed.id == first.id
    assert await alerts.list_alerts(db, 1) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "alerts.empty"),
        ("   ", "alerts.empty"),
        ("-politik -hoaks", "alerts.needs_word"),
        ("x" * 300, "alerts.too_long"),
    ],
)
async def test_refusals(db: Database, text: str, key: str) -> None:
    await add_chat(db, 1)
    with pytest.raises(InvalidInputError) as err:
        await alerts.add_alert(db, 1, text)
    assert err.value.key == key


async def test_duplicates_and_the_cap(db: Database) -> None:
    await add_chat(db, 1)
    await alerts.add_alert(db, 1, "banjir")
    with pytest.raises(InvalidInputError) as err:
        await alerts.add_alert(db, 1, "BANJIR")
    assert err.value.key == "alerts.exists"
    for n in range(alerts.MAX_ALERTS - 1):
        await alerts.add_alert(db, 1, f"kata{n}")
    with pytest.raises(InvalidInputError) as err:
        await alerts.add_alert(db, 1, "satu lagi")
    assert err.value.key == "alerts.full"


async def test_one_chat_cannot_remove_anothers_alert(db: Database) -> None:
    await add_chat(db, 1)
    await add_chat(db, 2)
    mine = await alerts.add_alert(db, 1, "banjir")
    with pytest.raises(NotFoundError):
        await alerts.remove_alert(db, 2, mine.id)
    with pytest.raises(InvalidInputError):
        await alerts.remove_alert_by_text(db, 2, "banjir")
