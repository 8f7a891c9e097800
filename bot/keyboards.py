"""Small builders for inline keyboards: buttons, rows, toggles and page navigation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from kabar.outbox import Button

Row = list[InlineKeyboardButton]

ON = "✅"
OFF = "▫️"


def button(text: str, data: str) -> InlineKeyboardButton:
    """A button that sends `data` back when pressed."""
    return InlineKeyboardButton(text, callback_data=data)


def toggle(label: str, on: bool, data: str) -> InlineKeyboardButton:
    """A button showing whether its choice is on."""
    return button(f"{ON if on else OFF} {label}", data)


def grid(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[Row]:
    """Buttons laid out `per_row` to a row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def page_slice(count: int, page: int, size: int) -> tuple[int, int, int]:
    """(page clamped to what exists, start index, number of pages)."""
    pages = max(1, -(-count // size))
    page = min(max(page, 0), pages - 1)
    return page, page * size, pages


def pager(page: int, pages: int, data: Callable[[int], str]) -> Row:
    """◀ n/N ▶ for a paged list; empty when there is one page."""
    if pages <= 1:
        return []
    row: Row = []
    if page > 0:
        row.append(button("◀", data(page - 1)))
    row.append(button(f"{page + 1}/{pages}", data(page)))
    if page < pages - 1:
        row.append(button("▶", data(page + 1)))
    return row


def markup(rows: Sequence[Row]) -> InlineKeyboardMarkup | None:
    """The keyboard, or None when there is nothing to press."""
    kept = [list(r) for r in rows if r]
    return InlineKeyboardMarkup(kept) if kept else None


def from_outbox(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The keyboard of a message the core composed (digest pages, alerts)."""
    return markup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data or "x")
                for b in row
            ]
            for row in rows
        ]
    )
