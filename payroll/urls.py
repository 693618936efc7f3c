"""Page URLs of commissions under ``/app/commissions/`` (namespace ``commissions``): the
analytics and ledger pages and the producer portal (issue 6 points 4-6)."""

from .views import urlpatterns as commission_pages

app_name = "commissions"

urlpatterns = [*commission_pages]
