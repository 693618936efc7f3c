from django.apps import AppConfig

from . import events, outbox


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"

    def ready(self) -> None:
        # AppConfig.ready() is the one place a module may import inside a function: these
        # modules need the models loaded (Django's app-loading protocol, not a hidden cycle)
        from trackyoursheets.web import report_downloads  # noqa: PLC0415  (loads auth's models)

        from . import services, tasks  # noqa: F401, PLC0415  (AppConfig.ready(); tasks registers the Celery tasks)
        from .exports import tasks as export_tasks  # noqa: F401, PLC0415  (the export tasks, likewise)
        from .exports.registry import page_download  # noqa: PLC0415

        # a list page's CSV download is its report's file (issue 17 point 7)
        report_downloads.register_report_reader(page_download)

        outbox.register_topics(events.TOPICS)
        outbox.register_dispatcher(services.outbox_event_enqueue, batch=services.outbox_events_enqueue)
