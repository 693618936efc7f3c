"""``/v1/`` routes of the hr app (mounted by trackyoursheets/api/urls.py)."""

urlpatterns: list = []
