"""The migrated database holds every index and constraint the models declare.

`makemigrations --check` proves the migrations describe the models; this proves running them
built it: a migration edited by hand, faked, or squashed wrong fails here, before a query
that counted on an index scans a whole table in production.
"""

import pytest
from django.apps import apps
from django.db import connection

from config.settings.env import PACKAGE

from {{ cookiecutter.project_slug }}.core.postgresql import (
    PostgreSQLCheckConstraint,
    PostgreSQLGinIndex,
)

pytestmark = pytest.mark.django_db

OWN_MODELS = [model for model in apps.get_models() if model.__module__.startswith(f"{PACKAGE}.")]


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda model: model._meta.label)
def test_every_declared_index_and_constraint_exists_in_the_database(model: type) -> None:
    meta = model._meta  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        in_database = connection.introspection.get_constraints(cursor, meta.db_table)
    elsewhere = connection.vendor != "postgresql"
    for index in meta.indexes:
        if elsewhere and isinstance(index, PostgreSQLGinIndex):
            continue  # created on PostgreSQL only (core/postgresql.py)
        assert index.name in in_database, f"{meta.db_table}: no index {index.name}"
        found = in_database[index.name]
        assert found["index"]
        # Django names each access method by its index class's suffix: "idx" (B-tree), "gin", ...
        assert found["type"] == index.suffix, index.name
        columns = [meta.get_field(name.lstrip("-")).column for name in index.fields]
        assert found["columns"] == columns, index.name
    for constraint in meta.constraints:
        if elsewhere and isinstance(constraint, PostgreSQLCheckConstraint):
            continue
        assert constraint.name in in_database, f"{meta.db_table}: no constraint {constraint.name}"


def test_the_check_finds_a_missing_index() -> None:
    model = next(model for model in OWN_MODELS if model._meta.indexes)
    index = model._meta.indexes[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")  # rolled back
    with pytest.raises(AssertionError, match=f"no index {index.name}"):
        test_every_declared_index_and_constraint_exists_in_the_database(model)
