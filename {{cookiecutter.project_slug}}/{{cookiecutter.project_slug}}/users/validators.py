"""A password validator Django lacks: an upper bound on length."""

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Passwords of at most `max_length` characters (4096 by default).

    Django bounds how short a password may be, not how long: sign-up took a 100,000-character
    password that every later login must hash again, and that the account-closing form (which
    takes at most 4096) then refused, so its owner could not close the account.
    """

    def __init__(self, max_length: int = 4096) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                "This password is too long. It must contain at most %(max_length)d characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."
