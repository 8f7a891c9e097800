"""Logging set-up that keeps secrets (the bot token) out of every log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TextIO

REDACTED = "[REDACTED]"


class Redactor:
    """Replaces each secret in a record's final message and traceback text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def redact(self, record: logging.LogRecord) -> None:
        """Rewrite `record` in place so no handler can see a secret."""
        if not self.secrets:
            return
        message = record.getMessage()
        redacted = self.scrub(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Handlers format tracebacks from exc_info later; format now so it can be scrubbed.
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None


def install_redaction(secrets: Iterable[str]) -> None:
    """Scrub secrets from every record at creation, whatever handler later receives it."""
    redactor = Redactor(secrets)
    previous = logging.getLogRecordFactory()
    base = getattr(previous, "kabar_base", previous)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        redactor.redact(record)
        return record

    factory.kabar_base = base  # type: ignore[attr-defined]  # re-installing never stacks
    logging.setLogRecordFactory(factory)


def setup_logging(
    level: str = "INFO", secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Log to stderr (or `stream`) at `level`, with every secret redacted."""
    install_redaction(secrets)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "kabar_handler", False):
            root.removeHandler(old)
    handler.kabar_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
