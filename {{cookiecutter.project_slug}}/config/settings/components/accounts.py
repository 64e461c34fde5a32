"""Accounts over the API (django-allauth, headless): sign-up, verification, reset, two factors.

Always present. allauth runs the flows at /_allauth/app/v1/ (its "app" client: tokens, no
cookies); its login issues the API's own JWT pair (users/tokens.py). Every flow is counted on the
project's rate limits (users/account_limits.py), not on allauth's.
https://docs.allauth.org/en/latest/headless/configuration.html
https://docs.allauth.org/en/latest/account/configuration.html
"""

from ..base import MIDDLEWARE, THIRD_PARTY_APPS
from ..env import PACKAGE, env

THIRD_PARTY_APPS += ["allauth", "allauth.account", "allauth.headless", "allauth.mfa"]
# allauth's middleware after Django's authentication; then the guard of its endpoints (methods,
# JSON bodies, rate limits, one request at a time per login flow).
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    f"{PACKAGE}.users.middleware.AccountFlowMiddleware",
]
# allauth's backend knows unverified and inactive accounts; Django's stays for the admin's form.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Headless: an API, no pages -----------------------------------------------------------------
HEADLESS_ONLY = True
# "app" only: clients hold tokens. The "browser" client would need cookies and CSRF on this API.
HEADLESS_CLIENTS = ("app",)
HEADLESS_TOKEN_STRATEGY = f"{PACKAGE}.users.tokens.JWTPairTokenStrategy"
# Pages of the client application that e-mails link to (codes are the default: no link needed).
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:3000").rstrip("/")
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": FRONTEND_URL + "/account/verify-email/{key}",
    "account_reset_password": FRONTEND_URL + "/account/password/reset",
    "account_reset_password_from_key": FRONTEND_URL + "/account/password/reset/key/{key}",
    "account_signup": FRONTEND_URL + "/account/signup",
}
# allauth describes these endpoints in OpenAPI; the description is joined into the project's schema
# (users/openapi.py, which needs its routes; config/urls.py answers them 404).
HEADLESS_SERVE_SPECIFICATION = True

# --- Accounts -----------------------------------------------------------------------------------
ACCOUNT_ADAPTER = f"{PACKAGE}.users.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up is open unless turned off (an invitation-only service sets ACCOUNT_SIGNUP_OPEN=false).
ACCOUNT_SIGNUP_OPEN = env.bool("ACCOUNT_SIGNUP_OPEN", default=True)
# "mandatory": no login until the address is verified. "optional" lets unverified accounts in
# (what needs a verified address still refuses them); "none" sends nothing.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# Six-character codes, single use, expiring, three tries: a mobile client needs no web page.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = env.int("ACCOUNT_CODE_TIMEOUT_SECONDS", default=900)
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT
# Verifying the address of a new account logs it in: the answer carries the tokens.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A new address replaces the old one only once verified; until then the old one stays primary.
ACCOUNT_CHANGE_EMAIL = True
# Sign-up and reset answer the same whether the address has an account (a mail says which).
ACCOUNT_PREVENT_ENUMERATION = True
# A password change ends every session and revokes every token (users/revocation.py).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# The owner hears of every change to their password, addresses and second factor.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("ACCOUNT_EMAIL_SUBJECT_PREFIX", default="")
# allauth's own limits are off: users/account_limits.py counts every flow on the project's.
ACCOUNT_RATE_LIMITS = False

# --- Two factors --------------------------------------------------------------------------------
# TOTP (an authenticator app) and single-use recovery codes; staff need TOTP for the admin.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="")
# A code is accepted in its 30-second period and the one before (clocks drift).
MFA_TOTP_TOLERANCE = 1
