"""Product attributes: the facts that differ by kind of product, kept as one JSONB document.

A T-shirt has a size and a colour, a kettle a capacity, a backpack is waterproof or not. A column
per fact would leave most columns empty for most products, and a table of (product, name, value)
rows would make every filter a self-join with values stored as text. JSONB keeps them on the row,
typed, and a GIN index answers containment (`attributes @> '{"colour": "red"}'`) without a scan.

The document is schema-less to PostgreSQL, so the schema lives here: which names exist and what
type each value has. Every write goes through `attributes_clean` (the model field's validator, so
the services, the admin and the seed command all pass through it), and the API's filters read
the same table. The database itself only refuses a document that is not an object
(product_attributes_is_object, models.py).
"""

import re
from typing import Final

from django.core.exceptions import ValidationError

type AttributeValue = str | int | bool
type Attributes = dict[str, AttributeValue]

# name -> type of its value. Adding one is a line here (and a field in each API input type that
# lists them: a test compares each with this table).
ATTRIBUTES: Final[dict[str, type[AttributeValue]]] = {
    "colour": str,
    "size": str,
    "material": str,
    "capacity_ml": int,
    "weight_grams": int,
    "waterproof": bool,
}
MAX_TEXT_LENGTH: Final = 50
MAX_NUMBER: Final = 10_000_000  # grams or millilitres: ten tonnes or ten cubic metres
# Letters, digits, spaces and a little punctuation: no control characters, no markup, no commas
# (the REST filter separates pairs with them).
TEXT_VALUE = re.compile(r"\w(?:[\w .'/&+-]*[\w.'/&+-])?", re.UNICODE)


def _type_name(kind: type[AttributeValue]) -> str:
    return {str: "text", int: "a whole number", bool: "true or false"}[kind]


def attribute_value_clean(name: str, value: object) -> AttributeValue:
    """One attribute's value, checked against its declared type; ValidationError names the key."""
    kind = ATTRIBUTES.get(name)
    if kind is None:
        allowed = ", ".join(sorted(ATTRIBUTES))
        raise ValidationError(f"Unknown attribute '{name[:50]}'; allowed: {allowed}.")
    # type() rather than isinstance(): True is an int to Python, not a weight in grams.
    if type(value) is not kind:
        raise ValidationError(f"Attribute '{name}' must be {_type_name(kind)}.")
    if isinstance(value, str) and not (
        len(value) <= MAX_TEXT_LENGTH and TEXT_VALUE.fullmatch(value)
    ):
        raise ValidationError(
            f"Attribute '{name}' must be 1 to {MAX_TEXT_LENGTH} letters, digits, spaces "
            "or . ' / & + -, starting with a letter or digit and ending with no space."
        )
    if kind is int and not 0 <= value <= MAX_NUMBER:  # type: ignore[operator]
        raise ValidationError(f"Attribute '{name}' must be from 0 to {MAX_NUMBER}.")
    return value  # type: ignore[return-value]  # checked above: one of AttributeValue's types


def attributes_clean(value: object) -> Attributes:
    """The whole document: an object of known names with values of their types.

    Raises ValidationError with one message for the first problem found.
    """
    if not isinstance(value, dict):
        raise ValidationError("Attributes must be an object of names and values.")
    return {name: attribute_value_clean(str(name), item) for name, item in value.items()}


def attributes_parse(text: str) -> Attributes:
    """The REST filter's form, `colour:red,waterproof:true`, as a typed document.

    Numbers and booleans are read as their attribute's type, so the document matches stored
    values exactly (`"500"` would never equal `500` in JSONB). Raises ValidationError.
    """
    document: Attributes = {}
    for pair in text.split(","):
        name, separator, raw = pair.partition(":")
        name, raw = name.strip(), raw.strip()
        if not separator or not name:
            raise ValidationError("Write attributes as name:value pairs separated by commas.")
        if name in document:
            raise ValidationError(f"Attribute '{name[:50]}' is given twice.")
        kind = ATTRIBUTES.get(name)
        value: object = raw
        if kind is bool and raw in ("true", "false"):
            value = raw == "true"
        elif kind is int and raw.isascii() and raw.isdigit() and len(raw) <= 8:
            value = int(raw)
        document[name] = attribute_value_clean(name, value)
    return document
