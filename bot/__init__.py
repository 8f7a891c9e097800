"""The Telegram edge: application set-up, handlers, keyboards, rendering, i18n and sending."""
