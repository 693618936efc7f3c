from django.apps import AppConfig

from integrations import outbox

from . import events


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"

    def ready(self) -> None:
        outbox.register_topics(events.TOPICS)
