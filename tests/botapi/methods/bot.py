"""Methods about the bot itself: getMe, getUpdates, webhooks, commands, name and descriptions."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from tests.botapi.args import Args
from tests.botapi.errors import WEBHOOK_CONFLICT, ApiError, bad_request

if TYPE_CHECKING:
    from tests.botapi.api import BotApi

MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_DESCRIPTION_LENGTH = 256
COMMAND = re.compile(r"^[a-z0-9_]+$")
LANGUAGE = re.compile(r"^([a-z]{2})?$")
SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
MAX_POLL_TIMEOUT = 60.0


async def get_me(api: BotApi, a: Args) -> Any:
    """The bot's User, with the bot-only fields."""
    return {
        **api.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def log_out(api: BotApi, a: Args) -> Any:
    """logOut and close: accepted, nothing to do locally."""
    return True


async def get_updates(api: BotApi, a: Args) -> Any:
    """Long polling: confirm by offset, wait up to `timeout` seconds for updates."""
    if api.webhook["url"]:
        raise ApiError(409, WEBHOOK_CONFLICT)
    allowed = a.json("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    api.updates.set_allowed(allowed)
    timeout = min(max(a.number("timeout"), 0.0), MAX_POLL_TIMEOUT)
    return await api.updates.get(a.integer("offset"), a.integer("limit", 100), timeout)


async def set_webhook(api: BotApi, a: Args) -> Any:
    """Remember the webhook (nothing is ever delivered to it: tests stay on loopback)."""
    url = a.text("url") or ""
    if url and not url.lower().startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if a.flag("drop_pending_updates"):
        api.updates.clear()
    allowed = a.json("allowed_updates")
    api.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    api.webhook = {"url": url, "max_connections": a.integer("max_connections", 40)}
    return True


async def delete_webhook(api: BotApi, a: Args) -> Any:
    """Switch back to getUpdates; drop_pending_updates empties the queue."""
    if a.flag("drop_pending_updates"):
        api.updates.clear()
    api.webhook = {"url": ""}
    return True


async def get_webhook_info(api: BotApi, a: Args) -> Any:
    """WebhookInfo."""
    info: dict[str, Any] = {
        "url": api.webhook["url"],
        "has_custom_certificate": False,
        "pending_update_count": len(api.updates.pending),
    }
    if api.webhook["url"]:
        info["max_connections"] = api.webhook.get("max_connections", 40)
    return info


def _scope_key(api: BotApi, a: Args) -> tuple[str, str]:
    scope = a.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"].startswith("chat"):
        api.chat(Args({"chat_id": scope.get("chat_id")}))
    language = a.text("language_code") or ""
    if not LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def _command(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand: BotCommand must be an Object")
    command, description = item.get("command"), item.get("description")
    if not isinstance(command, str):
        raise bad_request('can\'t parse BotCommand: Field "command" must be of type String')
    if not isinstance(description, str):
        raise bad_request('can\'t parse BotCommand: Field "description" must be of type String')
    command = command.strip().removeprefix("/")
    description = description.strip()
    if not command:
        raise bad_request("command must be non-empty")
    if len(command) > MAX_COMMAND_LENGTH:
        raise bad_request(f"command length must not exceed {MAX_COMMAND_LENGTH}")
    if not COMMAND.match(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise bad_request(f"command description length must not exceed {MAX_DESCRIPTION_LENGTH}")
    return {"command": command, "description": description}


async def set_my_commands(api: BotApi, a: Args) -> Any:
    """Validate and store the command list for a scope and language (empty list deletes)."""
    commands = a.json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    parsed = [_command(item) for item in commands]
    key = _scope_key(api, a)
    if parsed:
        api.commands[key] = parsed
    else:
        api.commands.pop(key, None)
    return True


async def get_my_commands(api: BotApi, a: Args) -> Any:
    """The commands stored for exactly this scope and language."""
    return api.commands.get(_scope_key(api, a), [])


async def delete_my_commands(api: BotApi, a: Args) -> Any:
    """Forget the commands of this scope and language."""
    api.commands.pop(_scope_key(api, a), None)
    return True


def _texts(kind: str, limit: int) -> tuple[Any, Any]:
    async def setter(api: BotApi, a: Args) -> Any:
        value = a.text(kind) or ""
        if len(value) > limit:
            raise bad_request(f"{kind.replace('_', ' ')} is too long")
        language = a.text("language_code") or ""
        if value:
            api.bot_texts[(kind, language)] = value
        else:
            api.bot_texts.pop((kind, language), None)
        return True

    async def getter(api: BotApi, a: Args) -> Any:
        language = a.text("language_code") or ""
        value = api.bot_texts.get((kind, language), api.bot_texts.get((kind, ""), ""))
        if kind == "name" and not value:
            value = api.bot.first_name
        return {kind: value}

    return setter, getter


async def set_setting(api: BotApi, a: Args) -> Any:
    """setChatMenuButton / setMyDefaultAdministratorRights: remembered, echoed by the getters."""
    for key in ("menu_button", "rights"):
        if a.has(key):
            api.settings[key] = a.json(key)
    return True


async def get_menu_button(api: BotApi, a: Args) -> Any:
    """The menu button last set (the default one otherwise)."""
    return api.settings.get("menu_button") or {"type": "default"}


async def get_admin_rights(api: BotApi, a: Args) -> Any:
    """The default administrator rights last set (none otherwise)."""
    rights = api.settings.get("rights")
    if rights:
        return rights
    return {
        "is_anonymous": False,
        "can_manage_chat": False,
        "can_delete_messages": False,
        "can_manage_video_chats": False,
        "can_restrict_members": False,
        "can_promote_members": False,
        "can_change_info": False,
        "can_invite_users": False,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
    }


_set_name, _get_name = _texts("name", 64)
_set_description, _get_description = _texts("description", 512)
_set_short, _get_short = _texts("short_description", 120)

METHODS = {
    "getMe": get_me,
    "logOut": log_out,
    "close": log_out,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short,
    "getMyShortDescription": _get_short,
    "setChatMenuButton": set_setting,
    "getChatMenuButton": get_menu_button,
    "setMyDefaultAdministratorRights": set_setting,
    "getMyDefaultAdministratorRights": get_admin_rights,
}
