from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate

from integrations import outbox
from integrations.exports import registry as export_registry
from organisations import hooks
from trackyoursheets import statement_keys

from . import events

DEMO_SEED_ORDER = 20


def ensure_btree_gist(sender, using="default", **kwargs) -> None:
    """The ``btree_gist`` extension, which the claims' exclusion constraint needs on PostgreSQL,
    before any table is created: payroll 0012 creates it, and this covers a database built from
    the models without migrations (the tests' ``--no-migrations``). A trusted extension: the
    database's owner may create it."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def remove_sqlite_key_triggers(sender, using="default", **kwargs) -> None:
    """On SQLite, the key triggers go before migrating (SQLite re-creates a table to alter it and
    refuses a trigger that names a table being re-created); ``post_migrate`` puts them back."""
    if connections[using].vendor == "sqlite":
        statement_keys.uninstall(using)


class PayrollConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payroll"

    def ready(self) -> None:
        pre_migrate.connect(ensure_btree_gist, sender=self, dispatch_uid="payroll.ensure_btree_gist")
        # the triggers that check the import rows' and ledger lines' keys once per statement
        # (issue 13 point 14), after every migrate and on a database built without migrations
        post_migrate.connect(statement_keys.install, sender=self, dispatch_uid="payroll.statement_keys")
        pre_migrate.connect(remove_sqlite_key_triggers, sender=self, dispatch_uid="payroll.statement_keys_off")
        # AppConfig.ready() is the one place a module may import inside a function: these
        # modules need the models loaded (Django's app-loading protocol, not a hidden cycle).
        # tasks registers the Celery task that processes a queued statement import with the
        # services (payroll.services.on_batch_queued): the services never import the tasks.
        from hr import services as hr_services  # noqa: PLC0415  (AppConfig.ready())
        from timetracking import services as time_services  # noqa: PLC0415  (AppConfig.ready())

        from . import cards, demo, exports, services, tasks  # noqa: F401, PLC0415  (AppConfig.ready(): needs the models loaded)

        outbox.register_topics(events.TOPICS)
        hooks.register_demo_seed(demo.seed, order=DEMO_SEED_ORDER)
        cards.register()  # the dashboard's cards of this app (issue 14 point 6)
        export_registry.register_reports(exports.REPORTS)  # its report exports (issue 17)
        # payroll runs (issue 18): a timesheet whose time is in a ready or paid run stays closed,
        # and time in a run takes its paid flag from the run
        time_services.register_reopen_guard(services.timesheet_reopen_guard)
        time_services.register_paid_guard(services.time_paid_guard)
        # approved leave paid by a ready or paid run is not cancelled (hr never imports payroll)
        hr_services.register_leave_cancel_guard(services.leave_cancel_guard)
