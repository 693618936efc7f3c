"""``/v1/`` routes of the timetracking app (mounted by trackyoursheets/api/urls.py)."""

urlpatterns: list = []
