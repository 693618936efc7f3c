"""``manage.py jobs_sweep``: the stale-job sweep once (beat runs it every five minutes)."""

from django.core.management.base import BaseCommand

from trackyoursheets.jobs import jobs_stale_sweep


class Command(BaseCommand):
    help = "Fail (or re-queue, where safe) background jobs left running by a dead worker."

    def handle(self, *args, **options):
        counts = jobs_stale_sweep()
        self.stdout.write(f"{counts['failed']} failed, {counts['requeued']} re-queued")
