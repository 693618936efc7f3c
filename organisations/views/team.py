"""Pages: team (see organisations/views/__init__.py)."""

urlpatterns: list = []
