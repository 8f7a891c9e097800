"""Scheduled work on APScheduler 3 (python-telegram-bot's JobQueue): ticks over the database."""
