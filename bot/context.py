"""Typed access to Kabar's services from inside python-telegram-bot callbacks."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes

from kabar.services import Services

SERVICES_KEY = "kabar.services"

KabarContext = ContextTypes.DEFAULT_TYPE
KabarApp = Application[Any, Any, Any, Any, Any, Any]


def services(context: KabarContext) -> Services:
    """The Services the application was built with."""
    value = context.application.bot_data[SERVICES_KEY]
    assert isinstance(value, Services)
    return value


def app_services(application: KabarApp) -> Services:
    """The Services an Application was built with."""
    value = application.bot_data[SERVICES_KEY]
    assert isinstance(value, Services)
    return value


def attach(application: KabarApp, svc: Services) -> None:
    """Make `svc` reachable from every callback of `application`."""
    application.bot_data[SERVICES_KEY] = svc
