"""organisations 0009 (issue 14 point 10): currencies that are not ISO 4217 codes become the best
guess; valid codes, and every other column, stay as they were.

As tests/payroll/test_migrations.py: the real migrations are turned back on, the database is
recorded as migrated, taken back to 0008, rows are written through the historical model, and it
migrates forward again (ending at the latest migration, as it found it)."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("organisations", "0008_viewer_role")]
AFTER = [("organisations", "0009_currency_iso_codes")]

GUESSES = {
    "DOL": "USD",
    "$": "USD",
    "US$": "USD",
    "usd": "USD",
    "EUR": "EUR",
    "eur": "EUR",
    "EU": "EUR",
    "€": "EUR",
    "GBP": "GBP",
    "POU": "GBP",
    "£": "GBP",
    "STE": "GBP",
    "JPY": "JPY",
    "ABC": "USD",
    "": "USD",
}


@pytest.fixture
def real_migrations(settings):
    settings.MIGRATION_MODULES = {}
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest, fake=True)
    yield latest
    MigrationExecutor(connection).migrate(latest)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # as the migrate command does


@pytest.mark.django_db(transaction=True)
def test_non_iso_currencies_become_the_best_guess(real_migrations):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Old = executor.loader.project_state(BEFORE).apps.get_model("organisations", "Organisation")
    rows = {
        text: Old.objects.create(name=f"Org {n}", slug=f"org-{n}", currency=text, timezone="Europe/Paris")
        for n, text in enumerate(GUESSES)
    }
    before = {o.pk: (o.name, o.slug, o.timezone, o.updated_at) for o in Old.objects.all()}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    New = executor.loader.project_state(AFTER).apps.get_model("organisations", "Organisation")

    after = {o.pk: o for o in New.objects.all()}
    assert {text: after[row.pk].currency for text, row in rows.items()} == GUESSES
    assert {pk: (o.name, o.slug, o.timezone, o.updated_at) for pk, o in after.items()} == before
