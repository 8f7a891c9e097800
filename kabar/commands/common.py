"""What every subcommand shares: settings, the database, async entry and error reporting."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click

from kabar.config import Settings, load_settings
from kabar.db import Database
from kabar.db.migrate import upgrade
from kabar.errors import KabarError

P = ParamSpec("P")
R = TypeVar("R")


def settings() -> Settings:
    """The settings, or a one-line error and exit status 2."""
    try:
        return load_settings()
    except KabarError as exc:
        raise click.ClickException(f"invalid setting: {exc}") from None


def async_command(fn: Callable[P, Awaitable[R]]) -> Callable[P, R]:
    """Run an async click callback; KabarError becomes one clear line and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return asyncio.run(fn(*args, **kwargs))  # type: ignore[arg-type]
        except KabarError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@asynccontextmanager
async def database(cfg: Settings) -> AsyncIterator[Database]:
    """An up-to-date database for one command; pending migrations are applied first."""
    db = Database(cfg.database_url)
    try:
        await upgrade(db)
        yield db
    finally:
        await db.dispose()


def print_json(value: Any) -> None:
    """Write `value` as JSON on stdout."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
