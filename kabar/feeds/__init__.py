"""Feeds: fetching, parsing, extraction, OPML and URL safety."""
