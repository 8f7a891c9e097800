"""/alerts: list, add and remove saved keyword queries (with "phrases" and -exclusions)."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot import prompts
from bot.cb import as_int, pack
from bot.context import KabarApp
from bot.dispatch import StaleButton, button, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.fallback import on_prompt
from bot.keyboards import button as key
from bot.keyboards import markup
from bot.turn import Turn
from bot.views.settings import Screen
from kabar import alerts
from kabar.i18n import Safe
from kabar.render import clip, esc

ADD_WORDS = {"add", "tambah", "+"}
REMOVE_WORDS = {"remove", "rm", "delete", "del", "hapus", "-"}
LIST_WORDS = {"list", "ls", "daftar"}


async def alerts_screen(turn: Turn) -> Screen:
    """The chat's alerts, each with a remove button, and an add button."""
    found = await alerts.list_alerts(turn.svc.db, turn.chat_id)
    if found:
        lines = "\n".join(
            f"{i}. <code>{esc(clip(a.query, 100))}</code>" for i, a in enumerate(found, start=1)
        )
        text = turn.t(
            "alerts.list",
            alerts=Safe(lines),
            count=len(found),
            limit=turn.svc.settings.alerts_per_hour,
        )
    else:
        text = turn.t("alerts.none")
    rows = [[key(f"🗑 {clip(a.query, 40)}", pack("al", "rm", a.id))] for a in found]
    rows.append([key(turn.t("alerts.button_add"), pack("al", "add"))])
    return Screen(text, markup(rows))


async def alerts_command(turn: Turn) -> None:
    """/alerts, /alerts add WORDS, /alerts remove WORDS|N."""
    args = turn.context.args or []
    verb = args[0].lower() if args else ""
    rest = " ".join(args[1:])
    if not args or (verb in LIST_WORDS and not rest):
        screen = await alerts_screen(turn)
        await turn.say(screen.text, screen.markup)
        return
    if verb in REMOVE_WORDS:
        removed = await alerts.remove_alert_by_text(turn.svc.db, turn.chat_id, rest)
        await turn.say(turn.t("alerts.removed", query=removed.query))
        return
    query = rest if verb in ADD_WORDS else " ".join(args)
    if not query:
        await prompts.ask(turn, "alert", turn.t("alerts.ask"))
        return
    await add(turn, query)


async def add(turn: Turn, query: str) -> None:
    """Save the alert and confirm it."""
    saved = await alerts.add_alert(turn.svc.db, turn.chat_id, query)
    await turn.say(turn.t("alerts.added", query=saved.query))


async def on_alert_button(turn: Turn, fields: list[str]) -> None:
    """al:ls shows the list, al:add asks for words, al:rm:<id> removes one."""
    action = fields[0]
    if action == "ls":
        screen = await alerts_screen(turn)
        await turn.edit(screen.text, screen.markup)
    elif action == "add":
        await turn.answer()
        await prompts.ask(turn, "alert", turn.t("alerts.ask"))
    elif action == "rm":
        alert_id = as_int(fields[1])
        if alert_id is None:
            raise StaleButton(fields[1])
        removed = await alerts.remove_alert(turn.svc.db, turn.chat_id, alert_id)
        await turn.answer(turn.t("alerts.removed_short", query=clip(removed.query, 60)))
        screen = await alerts_screen(turn)
        await turn.edit(screen.text, screen.markup)
    else:
        raise StaleButton(action)


async def answer_prompt(turn: Turn, prompt: prompts.Prompt, text: str) -> None:
    """The words typed after "Add an alert"."""
    await add(turn, text)


def register(app: KabarApp) -> None:
    """Add /alerts, its buttons and the answer to "which words?"."""
    on_prompt(app, "alert", answer_prompt)
    app.add_handler(
        CommandHandler(
            ["alerts", "alert", "peringatan"],
            command(alerts_command, settings=True, needs_chat=True),
            COMMANDS,
        )
    )
    register_buttons(app.bot_data, {"al": button(on_alert_button, settings=True)})
