# Issue 12 point 3: time imports are background jobs (trackyoursheets.jobs) with a start and a
# heartbeat, so the stale-job sweep can fail one whose worker died.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timetracking", "0002_timeentry_no_parallel_scans"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Last sign of life of the worker running it.",
                null=True,
                verbose_name="last heartbeat",
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
    ]
