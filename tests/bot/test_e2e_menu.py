"""End to end: the command menu in both languages, and the admins' own menu."""

from __future__ import annotations

import json

from tests.bot.conftest import ADMIN_ID, Kabar


def _menu(kabar: Kabar, language: str, scope: dict[str, object] | None = None) -> list[str]:
    key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language)
    return [c["command"] for c in kabar.botapi.api.commands.get(key, [])]


def _descriptions(kabar: Kabar, language: str) -> dict[str, str]:
    key = (json.dumps({"type": "default"}, sort_keys=True), language)
    return {c["command"]: c["description"] for c in kabar.botapi.api.commands.get(key, [])}


async def test_menu_in_both_languages_and_for_admins(kabar: Kabar) -> None:
    for language in ("", "en", "id"):
        menu = _menu(kabar, language)
        assert {"start", "digest", "search", "cari", "settings", "alerts", "stop", "help"} <= set(
            menu
        )
        assert "broadcast" not in menu
    assert _descriptions(kabar, "id")["digest"] != _descriptions(kabar, "en")["digest"]

    admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="id")
    await admin.send("/start")
    await admin.next_message()
    await admin.next_message()  # the onboarding screen
    scope = {"chat_id": ADMIN_ID, "type": "chat"}
    await kabar.botapi.wait_for(lambda: _menu(kabar, "id", scope), what="the admin menu")
    assert {"feeds", "stats", "broadcast", "digest"} <= set(_menu(kabar, "id", scope))
    await admin.send("/help")
    text = (await admin.next_message()).text
    assert "/feeds" in text and "@kabar_test_bot" in text
