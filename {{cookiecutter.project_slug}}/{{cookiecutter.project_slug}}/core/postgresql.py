"""Schema objects only PostgreSQL has, declared on the model and skipped on other databases.

The project runs on SQLite when no DATABASE_URL is set (a first run, the suite without services).
SQLite has no GIN index and no jsonb functions, so creating these there would fail the migration.
Each class below emits its SQL on PostgreSQL and nothing elsewhere; the model's Meta stays the one
place that lists them, and `makemigrations` keeps seeing them.
"""

from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.models import CheckConstraint, Model

NOTHING = Statement("")  # executed as an empty statement: a no-op on SQLite


def _on_postgresql(schema_editor: BaseDatabaseSchemaEditor | None) -> bool:
    return schema_editor is not None and schema_editor.connection.vendor == "postgresql"


class PostgreSQLGinIndex(GinIndex):
    """A GIN index on PostgreSQL; on other databases, none."""

    def create_sql(
        self,
        model: type[Model],
        schema_editor: BaseDatabaseSchemaEditor,
        using: str = "",
        **kwargs: Any,
    ) -> Statement:
        if not _on_postgresql(schema_editor):
            return NOTHING
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(
        self, model: type[Model], schema_editor: BaseDatabaseSchemaEditor, **kwargs: Any
    ) -> str:
        if not _on_postgresql(schema_editor):
            return str(NOTHING)
        return super().remove_sql(model, schema_editor, **kwargs)


class PostgreSQLCheckConstraint(CheckConstraint):
    """A CHECK on PostgreSQL; on other databases, none, and nothing checked by full_clean()."""

    def constraint_sql(
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str:
        return super().constraint_sql(model, schema_editor) if _on_postgresql(schema_editor) else ""

    def create_sql(
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str:
        return super().create_sql(model, schema_editor) if _on_postgresql(schema_editor) else ""

    def remove_sql(
        self, model: type[Model] | None, schema_editor: BaseDatabaseSchemaEditor | None
    ) -> str:
        return super().remove_sql(model, schema_editor) if _on_postgresql(schema_editor) else ""

    def validate(
        self,
        model: type[Model],
        instance: Model,
        exclude: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        # Django evaluates the condition in the database to validate a model: PostgreSQL's
        # functions only run there (elsewhere the field's own validators still apply).
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
