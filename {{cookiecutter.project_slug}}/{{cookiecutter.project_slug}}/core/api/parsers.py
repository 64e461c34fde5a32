"""The API's only request parser: JSON, with a bound on size, nesting depth and value count.

Python's json module recurses once per level of nesting: a 6 KB body of 3,000 `[` raised
RecursionError, which DRF passed on as a 500 and a traceback per request. A body that is too big,
too deep or holds too many values is now a 400 with one line saying which bound it broke, before
any serializer, resolver or rate-limit key function reads it. The bounds are settings
(API_JSON in config/settings/components/security.py).
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.utils.json import strict_constant


def json_depth_and_count(value: Any, *, max_depth: int, max_values: int) -> None:
    """Walk a parsed JSON document without recursion; raise ParseError past either bound.

    Depth counts containers: `1` is 0 deep, `[1]` is 1, `{"a": [1]}` is 2. Every value counts,
    containers included.
    """
    pending: list[tuple[Any, int]] = [(value, 0)]
    values = 0
    while pending:
        item, depth = pending.pop()
        values += 1
        if values > max_values:
            raise ParseError(f"The JSON body holds more than {max_values} values.")
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > max_depth:
            raise ParseError(f"The JSON body nests deeper than {max_depth} levels.")
        pending.extend((child, depth + 1) for child in children)


class JSONParser(DRFJSONParser):
    """DRF's JSON parser with bounds. Shapes: any JSON document within settings.API_JSON.

    Raises RequestDataTooBig (400, code too_large) for a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    bytes, and ParseError (400) for a body that is not valid JSON in the request's charset, nests
    deeper than API_JSON["MAX_DEPTH"] or holds more than API_JSON["MAX_VALUES"] values.
    """

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Django checks this limit when request.body is read; DRF reads the stream, so the parser
        # keeps the bound itself rather than rely on some middleware having read the body first.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            # Django's own exception, answered as Django answers a large form body (core/api/error_views.py)
            # but by the API's handler (core/api/exceptions.py): no traceback logged per request.
            raise RequestDataTooBig("The request body is too large.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        bounds = settings.API_JSON
        try:
            data = json.loads(
                raw.decode(encoding),
                parse_constant=strict_constant if self.strict else None,  # no NaN, no Infinity
            )
        except RecursionError:
            # Deeper than the interpreter's own limit: far past MAX_DEPTH, refused the same way.
            raise ParseError(
                f"The JSON body nests deeper than {bounds['MAX_DEPTH']} levels."
            ) from None
        except ValueError as error:  # includes UnicodeDecodeError and too-long integers
            raise ParseError(f"JSON parse error - {error}") from None
        except LookupError:
            # Django keeps any charset codecs.lookup() knows, hex and rot13 included; only text
            # encodings can decode a body.
            raise ParseError(f"The charset {encoding!r} is not a text encoding.") from None
        json_depth_and_count(data, max_depth=bounds["MAX_DEPTH"], max_values=bounds["MAX_VALUES"])
        return data
