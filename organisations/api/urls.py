from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    ApiTokenViewSet,
    AuditEventViewSet,
    ImpersonationViewSet,
    IntegrationGrantViewSet,
    MemberViewSet,
    OfficeViewSet,
    OrganisationCurrentView,
    ProducerViewSet,
    WorkspaceViewSet,
)

router = SimpleRouter(trailing_slash=False)
router.register("offices", OfficeViewSet, basename="office")
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("producers", ProducerViewSet, basename="producer")
router.register("api-tokens", ApiTokenViewSet, basename="api-token")
router.register("impersonations", ImpersonationViewSet, basename="impersonation")
router.register("integration-grants", IntegrationGrantViewSet, basename="integration-grant")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("organisations/current", OrganisationCurrentView.as_view(), name="organisation-current"),
    *router.urls,
]

# issue 4: members and invitations
members_router = SimpleRouter(trailing_slash=False)
members_router.register("members", MemberViewSet, basename="member")
urlpatterns += members_router.urls
