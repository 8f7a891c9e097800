"""The bot token never reaches a log line, not in messages, arguments or tracebacks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from kabar.logs import Redactor, setup_logging

TOKEN = "123456789:AAE-very-secret-token"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    setup_logging("DEBUG", secrets=[TOKEN], stream=out)
    yield out
    setup_logging("WARNING", secrets=[TOKEN], stream=io.StringIO())


def test_message_args_and_traceback_are_redacted(
    stream: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("kabar.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning(f"plain {TOKEN}")
    try:
        raise RuntimeError(f"failed for {TOKEN}")
    except RuntimeError:
        log.exception("boom")
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count("[REDACTED]") >= 3
    assert "RuntimeError" in text
    # Every other handler (here pytest's own) gets the redacted record too.
    assert TOKEN not in caplog.text
    assert "[REDACTED]" in caplog.text


def test_httpx_request_lines_are_quiet(stream: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getUpdates", TOKEN)
    assert TOKEN not in stream.getvalue()


def test_short_or_empty_secrets_are_ignored() -> None:
    redactor = Redactor(["", "abc"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "abc %s", ("abc",), None)
    redactor.redact(record)
    assert record.getMessage() == "abc abc"
