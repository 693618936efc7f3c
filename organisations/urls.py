"""Page URLs under ``/app/`` (namespace ``app``); each area module lists its own."""

from .views import console, integrations, shell, team

app_name = "app"

urlpatterns = [*shell.urlpatterns, *team.urlpatterns, *console.urlpatterns, *integrations.urlpatterns]
