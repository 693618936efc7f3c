"""The project's URLs, with the webhook pages mounted at /app/webhooks/ if the root URLconf does not
mount them yet (it does once trackyoursheets/urls.py includes ``integrations.urls``)."""

from django.urls import include, path

from trackyoursheets.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(p, "namespace", None) == "webhooks" for p in project_urlpatterns)

urlpatterns = (
    list(project_urlpatterns)
    if _mounted
    else [path("app/webhooks/", include("integrations.urls")), *project_urlpatterns]
)
