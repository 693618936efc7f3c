"""Everything under ``/v1/``."""

from django.urls import include, path

from .schema_view import CachedSchemaView
from .views import HealthView, InfoView

urlpatterns = [
    path("info", InfoView.as_view(), name="api-info"),
    path("health", HealthView.as_view(), name="api-health"),
    path("schema", CachedSchemaView.as_view(), name="api-schema"),
    path("", include("organisations.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("payroll.api.urls")),
    path("", include("timetracking.api.urls")),
    path("", include("hr.api.urls")),
]
