"""Page URLs of statement imports under ``/app/imports/`` (namespace ``imports``)."""

app_name = "imports"

urlpatterns: list = []
