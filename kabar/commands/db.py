"""`kabar db`: schema migrations."""

from __future__ import annotations

import click

from kabar.commands.common import async_command, settings
from kabar.db import Database
from kabar.db.migrate import current_revision, head_revision, upgrade


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@async_command
async def db_upgrade() -> None:
    """Apply pending migrations."""
    db = Database(settings().database_url)
    try:
        before = await current_revision(db)
        await upgrade(db)
        after = await current_revision(db)
    finally:
        await db.dispose()
    if before == after:
        click.echo(f"database is up to date (revision {after})")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
@async_command
async def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    db = Database(settings().database_url)
    try:
        rev = await current_revision(db)
    finally:
        await db.dispose()
    click.echo(f"database: {rev or 'empty'}; code: {head_revision()}")
