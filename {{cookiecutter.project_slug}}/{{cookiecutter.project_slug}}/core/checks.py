"""System checks for settings that are valid one by one but contradict each other.

A value alone is checked where it is read (config/settings/env.py and the components raise at
import). A relation between two values is a check with the tag "settings", run by CoreConfig.ready
in every process (gunicorn and task workers run no system checks themselves, and `manage.py check`
would report too late for them): a contradiction stops the start with ImproperlyConfigured naming
each failed check's id and values. A check that belongs to one component lives beside it, registered
when its module is imported, before any app is ready (grep for `checks.register(SETTINGS`).
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SETTINGS = "settings"


@checks.register(SETTINGS)
def check_token_lifetimes(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Access tokens must expire before the refresh tokens that renew them."""
    jwt: dict[str, Any] = settings.SIMPLE_JWT
    access, refresh = jwt["ACCESS_TOKEN_LIFETIME"], jwt["REFRESH_TOKEN_LIFETIME"]
    if access < refresh:
        return []
    return [
        checks.Error(
            f"JWT_ACCESS_MINUTES ({access}) must be shorter than JWT_REFRESH_DAYS ({refresh}): a "
            "refresh token that dies before its access token can never be used.",
            hint="Keep access tokens to minutes and refresh tokens to days.",
            id="core.E001",
        )
    ]


def refuse_contradicting_settings() -> None:
    """Raise ImproperlyConfigured listing every failed "settings" check (silenced ones excepted)."""
    errors = [message for message in checks.run_checks(tags=[SETTINGS]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "Settings contradict each other: "
            + " ".join(f"({message.id}) {message.msg}" for message in errors)
        )
