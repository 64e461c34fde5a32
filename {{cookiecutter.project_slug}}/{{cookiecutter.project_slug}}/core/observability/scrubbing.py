"""E-mail addresses and JWTs found in any text, replaced: what leaves in error reports and traces.

Keys can be scrubbed by name (a password field); these two turn up anywhere: in an exception's
message, a log line, a URL's query string. Used by error_reporting.py (every event) and
tracing.py (every span, before export).
"""

import re
from typing import Any
from urllib.parse import unquote_plus

# RFC 5322's local parts (dot-atom or "quoted") at a domain that ends in letters (any script: a
# release such as "shop@1.4.0" is not an address) or at an address literal ([192.0.2.1]).
EMAIL = re.compile(
    r"""(?:[\w.!#$%&'*+/=?^`{|}~-]+|"[^"\r\n]+")"""
    r"@(?:[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b|\[(?:IPv6:)?[0-9A-Fa-f:.]+\])"
)
# header.payload.signature in base64url, padded or not, the signature possibly empty; anywhere in
# a word ("token=eyJ...", "x_eyJ..."): a false alarm costs a redaction, a miss leaks a session.
JWT = re.compile(r"eyJ[\w-]+=*\.[\w-]+=*\.[\w-]*=*")
REDACTED = "[Filtered]"  # what the SDK writes in place of a scrubbed value


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
    """`text` with every e-mail address and JWT replaced by REDACTED; itself if none was found."""
    # Clients send "%40" for "@" and "%3D" for "=" in URLs and form bodies: the patterns are
    # matched on the decoded text, which replaces the original when anything was found.
    decoded = unquote_plus(text) if "%" in text else text
    scrubbed = JWT.sub(REDACTED, EMAIL.sub(REDACTED, decoded))
    return scrubbed if scrubbed != decoded else text
