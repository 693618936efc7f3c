"""Page URLs of commissions under ``/app/commissions/`` (namespace ``commissions``)."""

app_name = "commissions"

urlpatterns: list = []
