"""Secrets found in any text, replaced: what leaves in error reports and traces.

Three kinds turn up anywhere, in an exception's message, a log line, a URL's query string, a
header: e-mail addresses, JWTs, and the values of parameters named like secrets
(`?password=...`, `code=...`). Used by error_reporting.py (every event) and tracing.py (every
span, before export).

The patterns run on text a client sends, so each is linear in its length: a match can start only
where a run of its characters starts (a lookbehind), and runs are taken whole (possessive
quantifiers, Python 3.11+), so no input makes the engine try every start against every end.
"""

import re
from typing import Any
from urllib.parse import unquote

from sentry_sdk.scrubber import DEFAULT_DENYLIST

REDACTED = "[Filtered]"  # what the Sentry SDK writes in place of a scrubbed value

# Names of fields and parameters whose values are secrets: the Sentry SDK's list and this
# project's request fields (matched whole, any case).
DENYLIST = [
    *DEFAULT_DENYLIST,
    "access",  # the JWT pair (users/tokens.py)
    "refresh",
    "new_password",  # allauth's and the API's password forms
    "current_password",
    "old_password",
    "password1",
    "password2",
    "code",  # e-mail and TOTP codes
    "otp",
    "key",  # password-reset and e-mail keys
    "recovery_codes",
    "email",
    "new_email",
    "idempotency_key",
    "http_idempotency_key",
]

# An address's local part: RFC 5322's characters and dots, less the URL's own delimiters
# (/ ? = &), so that in "?email=ada@example.com" the address starts after the "=".
_LOCAL = r"[\w.!#$%'*+^`{|}~-]"
# ... or "quoted", at a domain that ends in letters (any script: a release such as "shop@1.4.0"
# is not an address) or at an address literal ([192.0.2.1]).
EMAIL = re.compile(
    rf"""(?<!{_LOCAL})(?:{_LOCAL}++|"[^"\r\n]++")"""
    r"@(?:(?:[\w-]++\.)+[^\W\d_]{2,}+\b|\[(?:IPv6:)?[0-9A-Fa-f:.]++\])"
)
# Three dot-separated base64url segments, padded or not, the last possibly empty; the JWT is
# where "eyJ" starts in the first, glued to a word or not ("token=eyJ...", "x_eyJ..."): a false
# alarm costs a redaction, a miss leaks a session.
_DOTTED_TRIPLE = re.compile(r"(?<![\w-])[\w-]++=*+\.[\w-]++=*+\.[\w-]*+=*+")
# name=value, as in a query string, a form body or a log line: where the name is one of
# DENYLIST's, the value goes and the name stays (_without_secret_value).
_PARAMETER = re.compile(r"(?<![\w.-])([\w.-]++)=([^&#;,\s\"']*+)")
_SECRET_NAMES = frozenset(name.lower() for name in DENYLIST)
_DECODING_ROUNDS = 3  # "%2540" is "%40" encoded again: decoded until nothing changes, this often


def scrub(value: Any) -> Any:
    """`value` with every string in it scrubbed: in dictionaries (keys too), lists and tuples."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):  # keys too: a dict keyed by address is still a list of addresses
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def scrub_text(text: str) -> str:
    """`text` with every secret replaced by REDACTED; itself if none was found."""
    # Clients send "%40" for "@" and "%3D" for "=", once or twice encoded: the patterns are
    # matched on the decoded text, which replaces the original when anything was found. "+" is
    # kept ("a+tag@example.com" is an address; a form's "+" for a space only joins two words).
    decoded = text
    for _ in range(_DECODING_ROUNDS):
        if "%" not in decoded or (once_more := unquote(decoded)) == decoded:
            break
        decoded = once_more
    # Each pattern only where its one sure character is: most text scrubbed (SQL statements,
    # routes) has none of them, and is left at the cost of a substring search.
    scrubbed = decoded
    if "=" in scrubbed:
        scrubbed = _PARAMETER.sub(_without_secret_value, scrubbed)
    if "@" in scrubbed:
        scrubbed = EMAIL.sub(REDACTED, scrubbed)
    if "eyJ" in scrubbed:
        scrubbed = _DOTTED_TRIPLE.sub(_without_jwt, scrubbed)
    return scrubbed if scrubbed != decoded else text


def _without_jwt(match: re.Match[str]) -> str:
    triple = match.group()
    header = triple.split(".", 1)[0].rstrip("=")
    start = header.find("eyJ")
    # A header is base64url JSON: "eyJ" and more ("eyJ.not.a.jwt" is not one).
    return triple if start < 0 or len(header) == start + 3 else triple[:start] + REDACTED


def _without_secret_value(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"{name}={REDACTED}" if name.lower() in _SECRET_NAMES else match.group()
