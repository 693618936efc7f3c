from django.apps import AppConfig

from integrations import outbox
from integrations.exports import registry as export_registry
from organisations import hooks

from . import events

DEMO_SEED_ORDER = 30


class TimetrackingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timetracking"

    def ready(self) -> None:
        # AppConfig.ready() is the one place a module may import inside a function: these
        # modules need the models loaded (Django's app-loading protocol, not a hidden cycle)
        from . import cards, demo, exports, tasks  # noqa: F401, PLC0415  (AppConfig.ready(); tasks registers the Celery tasks)

        outbox.register_topics(events.TOPICS)
        hooks.register_demo_seed(demo.seed, order=DEMO_SEED_ORDER)
        cards.register()  # the dashboard's cards of this app (issue 14 point 6)
        export_registry.register_reports(exports.REPORTS)  # its report exports (issue 17)
