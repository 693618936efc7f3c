"""Page URLs of the hr app, mounted under ``/app/`` by trackyoursheets/urls.py."""

app_name = "hr"

urlpatterns: list = []
