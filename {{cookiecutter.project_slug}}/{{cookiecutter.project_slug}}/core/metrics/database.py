"""Every SQL statement's duration, through Django's own hook for wrapping query execution.

https://docs.djangoproject.com/en/5.2/topics/db/instrumentation/
"""

import time
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from .definitions import DB_QUERY_DURATION


def time_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """An execute wrapper: runs the statement and records its time, failed or not."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        alias = context["connection"].alias
        DB_QUERY_DURATION.labels(alias).observe(time.perf_counter() - started)


def instrument_connection(*, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """A connection_created receiver: every new connection times its statements."""
    if time_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(time_query)
