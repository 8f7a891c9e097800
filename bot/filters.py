"""Update filters shared by the handlers."""

from __future__ import annotations

from telegram.ext import filters

# New messages in chats and channels; edits are not commands again.
COMMANDS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
