"""Kabar's error tree; handlers and the CLI catch these, never library exceptions.

KabarError
├── ConfigError          a setting is missing or invalid
├── StorageError         the database failed or refused a write
├── FeedError            a source could not be added, fetched or parsed
│   ├── UnsafeURLError   the URL or an address it resolved to is not allowed
│   ├── FetchError       the HTTP exchange failed (status, timeout, size, redirects)
│   └── ParseError       the body is not a feed we can read
├── OPMLError            an OPML file is invalid; nothing was imported
├── DeliveryError        a message or broadcast cannot be sent as asked (bad HTML, too long)
├── NotFoundError        the thing asked for does not exist
└── InvalidInputError    what a user typed is not acceptable (carries a message key)
"""

from __future__ import annotations


class KabarError(Exception):
    """Base of every error Kabar raises on purpose; its message is safe to show a user."""


class ConfigError(KabarError):
    """A setting is missing or invalid."""


class StorageError(KabarError):
    """The database failed or refused a write."""


class FeedError(KabarError):
    """A source could not be added, fetched or parsed."""


class UnsafeURLError(FeedError):
    """The URL, or an address it resolved to, is not allowed."""


class FetchError(FeedError):
    """The HTTP exchange failed: status, timeout, size or redirects."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ParseError(FeedError):
    """The body is not a feed Kabar can read."""


class OPMLError(KabarError):
    """An OPML document is invalid; nothing was imported."""


class DeliveryError(KabarError):
    """A message or broadcast cannot be sent as asked (invalid HTML, too long, wrong state)."""


class NotFoundError(KabarError):
    """The thing asked for does not exist."""


class InvalidInputError(KabarError):
    """What a user typed is not acceptable; `key` and `params` name the message to show."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
