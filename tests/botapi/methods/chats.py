"""Chat and member lookups: getChat, getChatMember, getChatAdministrators, counts, leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.botapi.errors import bad_request
from tests.botapi.state import ADMIN_RIGHTS, JSON, PRESENT, User

if TYPE_CHECKING:
    from tests.botapi.api import BotApi
    from tests.botapi.args import Args


def member_json(user: User, status: str) -> JSON:
    """The ChatMember object for a status."""
    data: JSON = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(ADMIN_RIGHTS)
        data["can_be_edited"] = False
    elif status == "kicked":
        data["until_date"] = 0
    elif status == "restricted":
        data.update(
            {
                "is_member": True,
                "until_date": 0,
                "can_send_messages": False,
                "can_send_audios": False,
                "can_send_documents": False,
                "can_send_photos": False,
                "can_send_videos": False,
                "can_send_video_notes": False,
                "can_send_voice_notes": False,
                "can_send_polls": False,
                "can_send_other_messages": False,
                "can_add_web_page_previews": False,
                "can_change_info": False,
                "can_invite_users": False,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        )
    return data


async def get_chat(api: BotApi, a: Args) -> Any:
    """ChatFullInfo."""
    return api.chat(a).full_info()


async def get_chat_member(api: BotApi, a: Args) -> Any:
    """A member's status (left for known users who are not in the chat)."""
    chat = api.chat(a)
    user = api.world.users.get(a.integer("user_id"))
    if user is None:
        raise bad_request("user not found")
    return member_json(user, chat.status_of(user.id))


async def get_chat_administrators(api: BotApi, a: Args) -> Any:
    """The creator and administrators (the bot too, when it is one)."""
    chat = api.chat(a)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [
        member_json(api.world.users[user_id], status)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator") and user_id in api.world.users
    ]


async def get_chat_member_count(api: BotApi, a: Args) -> Any:
    """How many are in the chat (2 in a private chat)."""
    chat = api.chat(a)
    if chat.type == "private":
        return 2
    return sum(1 for status in chat.members.values() if status in PRESENT)


async def leave_chat(api: BotApi, a: Args) -> Any:
    """The bot leaves a group or channel."""
    chat = api.chat(a)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    chat.members[api.bot.id] = "left"
    return True


METHODS = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "getChatMembersCount": get_chat_member_count,
    "leaveChat": leave_chat,
}
