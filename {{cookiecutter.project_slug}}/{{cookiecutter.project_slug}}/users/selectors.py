"""Reads about accounts: a user by id on the request path, what a user has verified and set up."""

from functools import cache
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.db import connections, router
from django.db.models.sql.compiler import SQLCompiler

from .models import User


@cache
def _user_by_id_statement(alias: str) -> tuple[str, list[str], SQLCompiler, list[Any]]:
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
    converters = compiler.get_converters(columns)
    return statement, fields, compiler, list(converters.items()) if converters else []


def user_by_id(*, user_id: int) -> User | None:
    """The user with this primary key, or None, as `User.objects.filter(pk=user_id).first()`.

    One SELECT of the ORM's SQL. Every request with an access token reads its user (users/authentication.py). A QuerySet
    builds and compiles that SQL again each time, more than half the lookup's CPU here; this runs
    the compiled statement and builds the model as the ORM does (`Model.from_db`, the backend's
    converters: SQLite returns booleans as integers). Same connection, same query logging.
    """
    alias = router.db_for_read(User)
    statement, fields, compiler, converters = _user_by_id_statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(statement, [User._meta.pk.get_prep_value(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        [row] = compiler.apply_converters([row], dict(converters))
    return User.from_db(alias, fields, row)


def user_email_verified(*, user: User) -> bool:
    """Whether the user's login address has been verified (allauth's EmailAddress, one query)."""
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)
    return bool(verified.exists())


def user_has_two_factors(*, user: User) -> bool:
    """Whether a second factor (TOTP) is set up: logins then need a code too (one query)."""
    return bool(is_mfa_enabled(user))
