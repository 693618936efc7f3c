from django.apps import AppConfig


class HrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hr"

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the app's webhook topics)
