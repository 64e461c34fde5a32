"""Reads about accounts: a user by id on the request path, what a user has verified and set up."""

from functools import cache
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.db import InterfaceError, OperationalError, connections, router
from django.db.models.sql.compiler import SQLCompiler

from .models import User


@cache
def _user_by_id_statement(alias: str) -> tuple[str, list[str], SQLCompiler, dict[int, Any]]:
    """The ORM's own SQL for `User.objects.filter(pk=...)`, compiled once per database alias.

    Out: the statement, the field names its columns fill, its compiler and the converters the
    ORM applies to those columns (none on PostgreSQL).
    """
    compiler = User.objects.filter(pk=0).query.get_compiler(using=alias)
    statement, _ = compiler.as_sql()
    columns = [column for column, *_ in compiler.select]
    fields = [column.target.attname for column in columns]
    if fields != [field.attname for field in User._meta.concrete_fields]:
        raise RuntimeError(f"unexpected column sequence for {User.__name__}: {fields}")
    return statement, fields, compiler, compiler.get_converters(columns)


def user_by_id(*, user_id: int) -> User | None:
    """The user with this primary key, or None, as `User.objects.filter(pk=user_id).first()`.

    Every request with an access token reads its user (users/authentication.py), so this is one
    SELECT and nothing more:
    - the ORM's SQL compiled once: a QuerySet builds and compiles it again each time, more than
      half the lookup's CPU here. The row becomes a User as the ORM makes it (`Model.from_db`,
      the backend's converters: SQLite returns booleans as integers), on the same connection,
      with the same query logging;
    - no separate health check: with CONN_HEALTH_CHECKS, Django sends `SELECT 1` before a
      request's first query on a reused connection. This read is safe to repeat, so it is the
      check: on a connection the database dropped, it reconnects and reads once more.
    """
    alias = router.db_for_read(User)
    connection: Any = connections[alias]  # its health-check flags are not in django-stubs
    params = [User._meta.pk.get_prep_value(user_id)]
    if (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    ):
        connection.health_check_done = True
        try:
            row = _read_user_row(alias, params)
        except (InterfaceError, OperationalError):
            connection.close()
            row = _read_user_row(alias, params)
    else:
        row = _read_user_row(alias, params)
    if row is None:
        return None
    _, fields, compiler, converters = _user_by_id_statement(alias)
    values: Any = row
    if converters:
        [values] = compiler.apply_converters([row], converters)
    return User.from_db(alias, fields, values)


def _read_user_row(alias: str, params: list[Any]) -> tuple[Any, ...] | None:
    statement, *_ = _user_by_id_statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


def user_email_verified(*, user: User) -> bool:
    """Whether the user's login address has been verified (allauth's EmailAddress, one query)."""
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)
    return bool(verified.exists())


def user_has_two_factors(*, user: User) -> bool:
    """Whether a second factor (TOTP) is set up: logins then need a code too (one query)."""
    return bool(is_mfa_enabled(user))
