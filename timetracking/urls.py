"""Page URLs of the timetracking app, mounted under ``/app/`` by trackyoursheets/urls.py."""

app_name = "time"

urlpatterns: list = []
