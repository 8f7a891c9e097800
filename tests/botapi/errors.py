"""Bot API error responses: the envelope, status codes and Telegram's exact descriptions."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call, rendered as Telegram's {"ok": false, ...} envelope."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        scope: str | None = None,
    ):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.scope = scope  # for 429s: which limit refused ("global", "chat", ...)

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram returns for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """400 "Bad Request: <message>"."""
    return ApiError(400, f"Bad Request: {message}", parameters)


def forbidden(message: str) -> ApiError:
    """403 "Forbidden: <message>"."""
    return ApiError(403, f"Forbidden: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with parameters.retry_after, as Telegram sends it when a limit is exceeded."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def migrated(new_chat_id: int) -> ApiError:
    """400 for a basic group that became a supergroup, with parameters.migrate_to_chat_id."""
    return bad_request(
        "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id}
    )


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
CHAT_NOT_FOUND = "chat not found"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)

# Named error responses for fault injection: (code, description).
PRESETS: dict[str, tuple[int, str]] = {
    "server_error": (500, "Internal Server Error"),
    "bad_gateway": (502, "Bad Gateway"),
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "kicked": (403, "Forbidden: bot was kicked from the group chat"),
    "kicked_supergroup": (403, "Forbidden: bot was kicked from the supergroup chat"),
    "chat_not_found": (400, "Bad Request: chat not found"),
    "not_enough_rights": (
        400,
        "Bad Request: not enough rights to send text messages to the chat",
    ),
}
