"""Update handlers: each parses an update, calls one use case and replies."""
