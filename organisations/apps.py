from django.apps import AppConfig

from integrations import outbox
from integrations.exports import registry as export_registry

from . import events


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"

    def ready(self) -> None:
        # AppConfig.ready() is the one place a module may import inside a function: it needs the models loaded
        from . import exports, office_zones  # noqa: PLC0415

        office_zones.connect()  # a new offices_version on every office save or delete (issue 13)

        outbox.register_topics(events.TOPICS)
        export_registry.register_reports(exports.REPORTS)  # the audit trail as a report export (issue 17)
