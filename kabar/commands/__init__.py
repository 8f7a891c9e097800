"""Subcommands of the `kabar` command, one module per group."""
