"""Everything under ``/v1/``."""

from django.urls import include, path

from .schema_view import CachedSchemaView
from .views import HealthView, InfoView

urlpatterns = [
    path("info", InfoView.as_view(), name="api-info"),
    path("health", HealthView.as_view(), name="api-health"),
    path("schema", CachedSchemaView.as_view(), name="api-schema"),
    # time tracking first: the most called lists (issue 13 point 14; Django tries the patterns in
    # order, about seventy before these otherwise). No path of one app matches another's pattern,
    # so the order changes nothing else; the OpenAPI schema sorts its paths
    path("", include("timetracking.api.urls")),
    path("", include("organisations.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("integrations.tracktik.api.urls")),
    path("", include("payroll.api.urls")),
    path("", include("hr.api.urls")),
]
