from django.apps import AppConfig


class PayrollConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payroll"

    def ready(self) -> None:
        # Registers the Celery task that processes a queued statement import with the services
        # (payroll.services.on_batch_queued): the services never import the tasks that call them.
        from . import tasks  # noqa: F401, PLC0415
