"""/broadcast for admins: compose, preview exactly as recipients will see it, choose the
audience and see its size, confirm; then a progress message edited in place, with a cancel
button, that ends as the final report."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes

from bot import prompts
from bot.cb import as_int, pack
from bot.context import KabarApp, app_services
from bot.dispatch import StaleButton, button, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.fallback import on_prompt
from bot.keyboards import button as key
from bot.keyboards import grid, markup
from bot.turn import Turn
from bot.views.settings import Screen
from kabar import broadcast, broadcast_drafts, callbacks, subscriptions
from kabar.broadcast import Audience
from kabar.chats import get_chat
from kabar.errors import DeliveryError, KabarError
from kabar.i18n import t
from kabar.services import Services

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0
TASKS_KEY = "kabar.broadcast_progress"


def control_screen(turn: Turn, draft: broadcast_drafts.Draft) -> Screen:
    """The draft's audience and size, with audience choices, send and discard."""
    lang, bid = turn.language, draft.id
    label = broadcast_drafts.audience_label(lang, draft.audience)
    rows = [
        [
            key(turn.label("broadcast_admin.audience_all"), pack("bq", "a", bid, "all")),
            key(turn.label("broadcast_admin.audience_id"), pack("bq", "a", bid, "lang", "id")),
            key(turn.label("broadcast_admin.audience_en"), pack("bq", "a", bid, "lang", "en")),
        ],
        [key(turn.label("broadcast_admin.by_topic"), pack("bq", "t", bid))],
        [
            key(turn.label("broadcast_admin.send", count=draft.count), pack("bq", "go", bid)),
            key(turn.label("broadcast_admin.discard"), pack("bq", "no", bid)),
        ],
    ]
    if draft.count == 0:
        rows[2].pop(0)  # nobody to send to
    text = turn.t("broadcast_admin.compose", audience=label, count=draft.count)
    return Screen(text, markup(rows))


async def broadcast_command(turn: Turn) -> None:
    """/broadcast TEXT, or /broadcast alone to be asked for the message."""
    message = turn.update.effective_message
    html = message.text_html if message is not None and message.text else ""
    body = html.split(maxsplit=1)[1].strip() if len(html.split(maxsplit=1)) > 1 else ""
    if not body:
        await prompts.ask(turn, "broadcast", turn.t("broadcast_admin.ask"))
        return
    await compose(turn, body)


async def answer_prompt(turn: Turn, prompt: prompts.Prompt, text: str) -> None:
    """The message typed after /broadcast, formatting kept."""
    message = turn.update.effective_message
    await compose(turn, message.text_html if message is not None else text)


async def compose(turn: Turn, html: str) -> None:
    """Store a draft, show the preview as recipients will see it, then the choices."""
    try:
        broadcast_id = await broadcast.create(
            turn.svc.db,
            html,
            created_by=turn.user_id or 0,
            progress_chat_id=turn.chat_id,
        )
    except DeliveryError as exc:
        await turn.say(turn.t("broadcast_admin.invalid", error=str(exc)))
        return
    await turn.say(turn.t("broadcast_admin.preview_follows"))
    await turn.say(html)  # the recipients' message: same HTML, no link preview
    screen = control_screen(turn, await broadcast_drafts.draft(turn.svc.db, broadcast_id))
    await turn.say(screen.text, screen.markup)


async def _audience(turn: Turn, fields: list[str]) -> Audience:
    kind = fields[0]
    if kind == "all":
        return Audience()
    if kind == "lang" and fields[1] in ("id", "en"):
        return Audience("language", fields[1])
    if kind == "topic":
        group = await subscriptions.find_group(turn.svc.db, "topic", fields[1])
        if group is not None:
            return Audience("topic", group.name)
    raise StaleButton(fields)


async def on_draft_button(turn: Turn, fields: list[str]) -> None:
    """bq:a:<id>:<audience...>, bq:t:<id> (topics), bq:go:<id> (send), bq:no:<id> (discard)."""
    action, broadcast_id = fields[0], as_int(fields[1])
    if broadcast_id is None:
        raise StaleButton(fields)
    db = turn.svc.db
    if action == "a":
        draft = await broadcast_drafts.set_audience(
            db, broadcast_id, await _audience(turn, fields[2:])
        )
        screen = control_screen(turn, draft)
    elif action == "t":
        await broadcast_drafts.draft(db, broadcast_id)
        topics = await subscriptions.list_groups(db, "topic")
        picks = [key(g.name, pack("bq", "a", broadcast_id, "topic", g.token)) for g in topics[:40]]
        back = [key(turn.label("button.back"), pack("bq", "a", broadcast_id, "all"))]
        screen = Screen(turn.t("broadcast_admin.pick_topic"), markup([*grid(picks, 2), back]))
    elif action == "no":
        await broadcast_drafts.discard(db, broadcast_id)
        screen = Screen(turn.t("broadcast_admin.discarded"), None)
    elif action == "go":
        await send(turn, broadcast_id)
        return
    else:
        raise StaleButton(action)
    await turn.answer()
    await turn.edit(screen.text, screen.markup)


async def send(turn: Turn, broadcast_id: int) -> None:
    """Queue the draft, then post the progress message and keep it current."""
    db = turn.svc.db
    draft = await broadcast_drafts.draft(db, broadcast_id)
    total = await broadcast.queue(db, broadcast_id)
    label = broadcast_drafts.audience_label(turn.language, draft.audience)
    await turn.answer()
    await turn.edit(turn.t("broadcast_admin.queued", total=total, audience=label))
    figures = await broadcast.progress(db, broadcast_id)
    sent = await turn.say(
        broadcast.render_progress(turn.language, figures), _cancel(turn, broadcast_id)
    )
    if sent is None:
        return
    await broadcast.attach_progress_message(db, broadcast_id, turn.chat_id, sent.message_id)
    follow(turn.context.application, turn.svc, broadcast_id, sent, turn.language)


def _cancel(turn: Turn, broadcast_id: int) -> InlineKeyboardMarkup | None:
    data = callbacks.encode(callbacks.CancelBroadcast(broadcast_id))
    return markup([[key(turn.label("broadcast.cancel"), data)]])


def follow(
    app: KabarApp, svc: Services, broadcast_id: int, message: Message, language: str
) -> None:
    """Keep the progress message current until the broadcast ends (one task per broadcast)."""
    tasks: dict[int, asyncio.Task[None]] = app.bot_data.setdefault(TASKS_KEY, {})
    if broadcast_id in tasks and not tasks[broadcast_id].done():
        return
    tasks[broadcast_id] = app.create_task(
        _keep_current(app, svc, broadcast_id, (message.chat_id, message.message_id), language),
        name=f"broadcast-progress-{broadcast_id}",
    )


async def _keep_current(
    app: KabarApp, svc: Services, broadcast_id: int, target: tuple[int, int], language: str
) -> None:
    chat_id, message_id = target
    cancel = markup(
        [
            [
                key(
                    t(language, "broadcast.cancel"),
                    callbacks.encode(callbacks.CancelBroadcast(broadcast_id)),
                )
            ]
        ]
    )
    shown = ""
    while app.running:
        try:
            figures = await broadcast.progress(svc.db, broadcast_id)
        except KabarError as exc:
            log.warning("broadcast %s progress unavailable: %s", broadcast_id, exc)
            return
        if figures.done:
            text, keyboard = broadcast.render_report(language, figures), None
        else:
            text, keyboard = broadcast.render_progress(language, figures), cancel
        if text != shown:
            try:
                await app.bot.edit_message_text(text, chat_id, message_id, reply_markup=keyboard)
                shown = text
            except TelegramError as exc:
                if "not modified" not in str(exc).lower():
                    log.info("progress message of broadcast %s: %s", broadcast_id, exc)
        if figures.done:
            return
        await asyncio.sleep(PROGRESS_SECONDS)


async def on_cancel(turn: Turn, fields: list[str]) -> None:
    """bc:<id>: stop a broadcast under way; the progress message turns into the report."""
    found = callbacks.decode(turn.query.data if turn.query else None)
    if not isinstance(found, callbacks.CancelBroadcast):
        raise StaleButton(fields)
    cancelled = await broadcast.cancel(turn.svc.db, found.broadcast_id)
    await turn.answer(
        turn.t("broadcast_admin.cancelled" if cancelled else "broadcast_admin.already_over")
    )
    message = turn.message
    if message is not None:
        follow(turn.context.application, turn.svc, found.broadcast_id, message, turn.language)


async def resume(context: ContextTypes.DEFAULT_TYPE) -> None:
    """After a restart, keep following the progress of broadcasts still under way."""
    app = context.application
    svc = app_services(app)
    tasks: dict[int, asyncio.Task[None]] = app.bot_data.setdefault(TASKS_KEY, {})
    for item in await broadcast_drafts.tracked(svc.db):
        if item.id not in tasks:
            chat = await get_chat(svc.db, item.chat_id)
            language = chat.language if chat else svc.settings.language
            tasks[item.id] = app.create_task(
                _keep_current(app, svc, item.id, (item.chat_id, item.message_id), language),
                name=f"broadcast-progress-{item.id}",
            )


def resume_at_start(app: KabarApp) -> None:
    """Schedule `resume` (in the process that answers users, which edits the messages)."""
    if app.job_queue is not None:
        app.job_queue.run_once(resume, when=1, name="broadcast-progress-resume")


def register(app: KabarApp) -> None:
    """Add /broadcast, its buttons and its prompt."""
    app.add_handler(
        CommandHandler(["broadcast", "siaran"], command(broadcast_command, admin=True), COMMANDS)
    )
    on_prompt(app, "broadcast", answer_prompt)
    register_buttons(
        app.bot_data,
        {"bq": button(on_draft_button, admin=True), "bc": button(on_cancel, admin=True)},
    )
