"""Page URLs under ``/app/`` (namespace ``app``); each area module lists its own."""

from .views import account, audit, console, integrations, shell, team

app_name = "app"

urlpatterns = [
    *shell.urlpatterns,
    *account.urlpatterns,
    *team.urlpatterns,
    *console.urlpatterns,
    *integrations.urlpatterns,
    *audit.urlpatterns,
]
