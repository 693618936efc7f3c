"""Fixtures shared by the payroll tests."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


@pytest.fixture
def real_migrations(settings):
    """The project's migrations (the suite disables them), the database recorded as migrated,
    and the latest migration again afterwards, whatever the test did."""
    settings.MIGRATION_MODULES = {}
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest, fake=True)  # the tables were built from the models: they are the latest state
    yield latest
    _executor().migrate(latest)
    # as the migrate command does after migrating: a table rebuilt on the way back gets the
    # triggers of trackyoursheets.statement_keys again
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
