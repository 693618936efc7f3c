"""``/v1/`` routes of the hr app (mounted by trackyoursheets/api/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ComplaintViewSet, DashboardViewSet, EmployeeViewSet, HRDocumentViewSet, MeView, OnboardingViewSet

router = SimpleRouter(trailing_slash=False)
router.register("hr/employees", EmployeeViewSet, basename="hr-employee")
router.register("hr/onboarding", OnboardingViewSet, basename="hr-onboarding")
router.register("hr/documents", HRDocumentViewSet, basename="hr-document")
router.register("hr/complaints", ComplaintViewSet, basename="hr-complaint")
router.register("hr/dashboard", DashboardViewSet, basename="hr-dashboard")

urlpatterns = [path("me", MeView.as_view(), name="me"), *router.urls]
