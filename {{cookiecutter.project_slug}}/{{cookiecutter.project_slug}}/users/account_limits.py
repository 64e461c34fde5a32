"""Rate limits of the account flows (allauth's endpoints), on the project's limiter.

Called for each of allauth's views by users/middleware.py.
Each endpoint that checks a secret or sends an e-mail draws on two budgets, per client IP and per
account: logins and password checks share the API login's (users/login_limits.py); code entries
(verification, reset, the second factor) and e-mails each have their own. Over budget is a 429
with Retry-After; an unreachable limiter store is a 503 (fail closed: unlimited guessing of a
six-character code, or unlimited mail to a stranger's address, is worse than a short outage).
Only requests that act are counted: not GET, HEAD or OPTIONS, unless a GET carries a code.
"""

import hashlib

from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import Throttled

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import (
    RateKey,
    RateLimitUnavailable,
    check_rate_limit,
)

from .headless import SAFE_METHODS, account_error
from .login_limits import submitted_email


def account_key(group: str, request: HttpRequest) -> str:
    """The account a request acts on: the e-mail it submits, else the credential it presents.

    A flow that names no address (a code entry, a password change) is keyed by its session or
    access token, hashed: each login flow and each signed-in client has its own budget.
    """
    email = submitted_email(group, request)  # as the API's and the admin's logins are keyed
    if email:
        return email
    credential = request.headers.get("X-Session-Token") or request.headers.get("Authorization")
    if credential:
        return "token:" + hashlib.sha256(credential.encode()).hexdigest()
    return "ip:" + client_ip(request)


# The budget each of allauth's endpoints draws on, by URL name (under its headless:app: namespace).
# The flows turned off here (login by code, phone numbers) are counted too, should they be turned on.
FLOWS_BY_BUDGET: dict[str, tuple[str, ...]] = {
    # Checks a password.
    "login": ("account:login", "account:reauthenticate", "account:change_password"),
    # Checks a mailed or TOTP code (activating TOTP checks one).
    "code": (
        "account:verify_email",
        "account:verify_phone",
        "account:reset_password",
        "account:confirm_login_code",
        "account:confirm_reauthentication_code",
        "mfa:authenticate",
        "mfa:reauthenticate",
        "mfa:manage_totp",
    ),
    # Sends a message (regenerating recovery codes notifies the owner).
    "mail": (
        "account:signup",
        "account:resend_email_verification_code",
        "account:resend_phone_verification_code",
        "account:request_password_reset",
        "account:request_reauthentication_code",
        "account:resend_reauthentication_code",
        "account:manage_email",
        "account:manage_phone",
        "mfa:manage_recovery_codes",
    ),
    "token_refresh": ("tokens:refresh",),
}
FLOW_BUDGETS = {flow: budget for budget, flows in FLOWS_BY_BUDGET.items() for flow in flows}
# The rest check no secret and send nothing: the client's configuration, its session (DELETE is
# logging out) and the list of its authenticators. A test holds the two tables to allauth's URLs.
UNCOUNTED = frozenset({"config", "account:current_session", "mfa:authenticators"})
# budget -> its (group, rate name, key) limits. Logins share the API login's groups and keys, so
# one account has one budget whichever door the guesses come through.
BUDGETS: dict[str, tuple[tuple[str, str, RateKey], ...]] = {
    "login": (("login_ip", "login_ip", "ip"), ("login_email", "login_email", account_key)),
    "code": (("account_code_ip", "code_ip", "ip"), ("account_code", "code_account", account_key)),
    "mail": (("account_mail_ip", "mail_ip", "ip"), ("account_mail", "mail_account", account_key)),
    "token_refresh": (("token_refresh", "token_refresh", "ip"),),
}
# A GET that carries one of these checks a code (allauth's link flows): it is counted too.
CODE_HEADERS = ("X-Email-Verification-Key", "X-Password-Reset-Key")


def check_account_flow_limits(request: HttpRequest, *, flow: str) -> HttpResponse | None:
    """Count a call of allauth's `flow` (a FLOW_BUDGETS name); an error answer when refused."""
    budget = FLOW_BUDGETS.get(flow)
    checks_a_code = any(request.headers.get(header) for header in CODE_HEADERS)
    if budget is None or (request.method in SAFE_METHODS and not checks_a_code):
        return None
    try:
        for group, rate, key in BUDGETS[budget]:
            check_rate_limit(request, group=group, key=key, rate=rate, fail_closed=True)
    except Throttled as limited:
        response = account_error(429, "Too many attempts. Try again later.", "throttled")
        response["Retry-After"] = str(int(getattr(limited, "wait", None) or 1))
        return response
    except RateLimitUnavailable:
        response = account_error(
            503, "Temporarily unavailable; try again shortly.", "rate_limit_unavailable"
        )
        response["Retry-After"] = "5"
        return response
    return None
