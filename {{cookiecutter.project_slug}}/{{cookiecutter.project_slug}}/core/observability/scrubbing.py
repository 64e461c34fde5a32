"""Secrets found in any text, replaced: what leaves in error reports and traces.

Three kinds turn up anywhere, in an exception's message, a log line, a URL's query string, a
header: e-mail addresses, JWTs, and the values of parameters named like secrets
(`?password=...`, `code=...`). Used by error_reporting.py (every event) and tracing.py (every
span, before export).

The patterns run on text a client sends, so each is linear in its length: a match can start only
where a run of its characters starts (a lookbehind), and runs are taken whole (possessive
quantifiers, Python 3.11+), so no input makes the engine try every start against every end.
"""

import base64
import binascii
import json
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

# Words that make any parameter's name a secret's: access_token, client_secret, api-key,
# user[password]...
SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "api_key")

# An address's local part: RFC 5322's characters and dots, less the URL's own delimiters
# (/ ? = &), so that in "?email=ada@example.com" the address starts after the "=".
_LOCAL = r"[\w.!#$%'*+^`{|}~-]"
# ... or "quoted", at a domain that ends in letters (any script: a release such as "shop@1.4.0"
# is not an address) or at an address literal ([192.0.2.1]).
EMAIL = re.compile(
    rf"""(?<!{_LOCAL})(?:{_LOCAL}++|"[^"\r\n]++")"""
    r"@(?:(?:[\w-]++\.)+[^\W\d_]{2,}+|\[(?:IPv6:)?[0-9A-Fa-f:.]++\])"
)
# A JWT from its "eyJ" on (glued to a word or not: "token=eyJ...", "x_eyJ...", "a.eyJ..."):
# three dot-separated base64url segments, padded or not, the last possibly empty, whose first
# decodes to a JSON object (so "greyJacket.front.jpg" is a file name). A miss leaks a session.
_JWT = re.compile(r"eyJ[\w-]*+=*+\.[\w-]++=*+\.[\w-]*+=*+")
_RUN = re.compile(r"[\w-]*+")
# name=value, as in a query string, a form body, a cookie or a log line: where the name is a
# secret's (_is_secret_name), the value goes and the name stays. Matched on the text as sent,
# where an encoded "&" or space inside a value is still part of it, and again once decoded.
_PARAMETER = re.compile(r"(?<![\w.\[\]-])([\w.\[\]-]++)=([^&#;\s\"']*+)")
_SECRET_NAMES = frozenset(name.lower() for name in DENYLIST)
_DECODING_ROUNDS = 8  # "%2540" is "%40" encoded again: decoded until nothing changes, this often


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
    # Clients send "%40" for "@" and "%3D" for "=", once or more encoded: the patterns are
    # matched on the decoded text, which replaces the original when anything was found. "+" is
    # kept ("a+tag@example.com" is an address; a form's "+" for a space only joins two words).
    # JWTs first, whole: base64url is never percent-encoded, and a token glued to a name
    # ("tokeneyJ...=") would otherwise be taken for a parameter's name and kept.
    sent = _without_jwts(text) if "eyJ" in text else text
    if "=" in sent:
        sent = _PARAMETER.sub(_without_secret_value, sent)
    decoded = sent
    for _ in range(_DECODING_ROUNDS):
        if "%" not in decoded or (once_more := unquote(decoded)) == decoded:
            break
        decoded = once_more
    # Each pattern only where its one sure character is: most text scrubbed (SQL statements,
    # routes) has none of them, and is left at the cost of a substring search.
    scrubbed = decoded
    if "=" in scrubbed and decoded != sent:
        scrubbed = _PARAMETER.sub(_without_secret_value, scrubbed)
    if "@" in scrubbed:
        scrubbed = EMAIL.sub(REDACTED, scrubbed)
    if "eyJ" in scrubbed:
        scrubbed = _without_jwts(scrubbed)
    if scrubbed == decoded:
        return sent
    return scrubbed


def _without_secret_value(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"{name}={REDACTED}" if _is_secret_name(name) else match.group()


def _is_secret_name(name: str) -> bool:
    """DENYLIST's names, whole or as the last part ("user[password]"), or any with SECRET_WORDS."""
    lowered = name.lower().replace("-", "_")
    last = re.split(r"[\[\].]+", lowered.strip("[]."))[-1]
    return (
        lowered in _SECRET_NAMES
        or last in _SECRET_NAMES
        or any(word in lowered for word in SECRET_WORDS)
    )


def _without_jwts(text: str) -> str:
    # Linear: a candidate that is no JWT is skipped with the rest of its run of base64url
    # characters, so no run is read twice.
    pieces, done, start = [], 0, text.find("eyJ")
    while start >= 0:
        match = _JWT.match(text, start)
        if match and _is_jwt_header(match.group().split(".", 1)[0]):
            pieces += [text[done:start], REDACTED]
            done = match.end()
            start = text.find("eyJ", done)
        else:
            run = _RUN.match(text, start)  # always matches: it may be empty
            start = text.find("eyJ", max(start + 3, run.end() if run else 0))
    return "".join([*pieces, text[done:]])


def _is_jwt_header(segment: str) -> bool:
    unpadded = segment.rstrip("=")
    if len(unpadded) < 16:  # the shortest header, {"alg":"none"}, is 20: skip the decoding
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4)))
    except (ValueError, binascii.Error):  # not base64url, not UTF-8, not JSON
        return False
    return isinstance(header, dict)
