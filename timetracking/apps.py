from django.apps import AppConfig


class TimetrackingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timetracking"

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the app's webhook topics)
