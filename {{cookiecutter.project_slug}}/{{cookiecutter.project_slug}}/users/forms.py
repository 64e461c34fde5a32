"""The admin's login form: staff sign in with their password and a second factor."""

from typing import Any

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

TWO_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)


class AdminTwoFactorLoginForm(AdminAuthenticationForm):
    """Email, password and a code from the authenticator app (or a recovery code).

    The admin can change every account: a stolen staff password alone must not open it. A staff
    account without TOTP is refused with what to do: turn it on through the account API
    (/_allauth/app/v1/account/authenticators/totp). The code is checked by allauth's own
    authenticators, so each TOTP code and each recovery code works once here as in the API.
    """

    code = forms.CharField(
        label="Two-factor code",
        max_length=64,
        required=False,
        strip=True,
        # No numeric keypad: recovery codes hold letters too.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        help_text="From your authenticator app, or one of your recovery codes.",
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "two_factor_off": (
            "Staff accounts need two-factor login. Turn on an authenticator app for this "
            "account through the account API first."
        ),
        "two_factor_wrong": "The two-factor code is not right, or was used already.",
    }

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # the password, then is_active and is_staff
        user = self.get_user()
        authenticators = list(Authenticator.objects.filter(user=user, type__in=TWO_FACTOR_TYPES))
        if not any(a.type == Authenticator.Type.TOTP for a in authenticators):
            raise ValidationError(self.error_messages["two_factor_off"], code="two_factor_off")
        code = cleaned.get("code") or ""
        # TOTP first: a six-digit code is tried as TOTP before as a recovery code.
        authenticators.sort(key=lambda a: a.type != Authenticator.Type.TOTP)
        if not code or not any(a.wrap().validate_code(code) for a in authenticators):
            raise ValidationError(self.error_messages["two_factor_wrong"], code="two_factor_wrong")
        return cleaned
