"""Screens: message text and inline keyboard for each view the handlers show."""
