from django.apps import AppConfig

from integrations import outbox
from integrations.exports import registry as export_registry

from . import events


class TracktikConfig(AppConfig):
    """Its own app (label ``tracktik``) so its migrations never collide with ``integrations``'."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations.tracktik"
    label = "tracktik"
    verbose_name = "TrackTik"

    def ready(self) -> None:
        # AppConfig.ready() is the one place a module may import inside a function: tasks register
        # the Celery tasks and need the models loaded (Django's app-loading protocol)
        from . import exports, tasks  # noqa: F401, PLC0415

        outbox.register_topics(events.TOPICS)
        export_registry.register_reports(exports.REPORTS)  # its report export (issue 19 point 4)
