"""`python -m kabar` is the `kabar` command."""

from kabar.cli import main

main()
