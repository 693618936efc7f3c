"""Time entry lists count their rows exactly for the envelope (an index-only scan of one
organisation's entries). PostgreSQL plans that count as a parallel scan with two extra worker
processes once an organisation has a few hundred thousand entries: each request then occupies
three processes, and under concurrent load the list is several times slower (bench/timetracking.py:
34 vs 84 requests/s on two cores). Scans of this table run in the request's own process; the
summary report, which aggregates the same rows, is no slower without them."""

from django.db import migrations


def _set(apps, schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("timetracking", "TimeEntry")._meta.db_table
        schema_editor.execute(sql % schema_editor.quote_name(table))


def no_parallel_scans(apps, schema_editor):
    _set(apps, schema_editor, "ALTER TABLE %s SET (parallel_workers = 0)")


def parallel_scans(apps, schema_editor):
    _set(apps, schema_editor, "ALTER TABLE %s RESET (parallel_workers)")


class Migration(migrations.Migration):
    dependencies = [("timetracking", "0001_initial")]

    operations = [migrations.RunPython(no_parallel_scans, parallel_scans, elidable=False)]
