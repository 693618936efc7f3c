from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"

    def ready(self) -> None:
        # the admin base classes live in the project package, which imports no app: the audit
        # trail is this app's, so it registers the admin's writer here (issue 12 point 3)
        from trackyoursheets.admin import register_admin_audit

        from .audit import admin_change_audit

        register_admin_audit(admin_change_audit)
