"""The HTML a product description may hold: a few formatting tags, links, nothing that runs.

Descriptions are written by staff (admin) or through the services and shown by storefronts that
render them as HTML: whatever survives here reaches a customer's browser. nh3 (the Rust ammonia
sanitiser) keeps an allowlist, drops everything else and escapes what is left over.
"""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_description(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
