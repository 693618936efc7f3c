from django.apps import AppConfig

from integrations import outbox
from integrations.exports import registry as export_registry
from organisations import hooks

from . import events

#: hr's place among the demo seeds: the directory first, the others use it
DEMO_SEED_ORDER = 10


class HrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hr"

    def ready(self) -> None:
        # AppConfig.ready() is the one place a module may import inside a function: these
        # modules need the models loaded (Django's app-loading protocol, not a hidden cycle)
        from . import cards, demo, exports, services  # noqa: PLC0415  (AppConfig.ready(): needs the models loaded)

        outbox.register_topics(events.TOPICS)
        hooks.register_demo_seed(demo.seed, order=DEMO_SEED_ORDER)
        cards.register()  # the dashboard's cards of this app (issue 14 point 6)
        export_registry.register_reports(exports.REPORTS)  # its report exports (issue 17)
        # issue 14 point 8: an accepted invitation creates (or links) the member's directory record
        hooks.register_member_joined(services.employee_on_member_joined)
