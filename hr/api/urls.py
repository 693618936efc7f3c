"""``/v1/`` routes of the hr app (mounted by trackyoursheets/api/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .leave import (
    HolidayGroupViewSet,
    LeaveAdjustmentViewSet,
    LeaveBalanceViewSet,
    LeavePolicyViewSet,
    LeaveRequestViewSet,
    LeaveTypeViewSet,
)
from .views import ComplaintViewSet, DashboardViewSet, EmployeeViewSet, HRDocumentViewSet, MeView, OnboardingViewSet

router = SimpleRouter(trailing_slash=False)
router.register("hr/employees", EmployeeViewSet, basename="hr-employee")
router.register("hr/onboarding", OnboardingViewSet, basename="hr-onboarding")
router.register("hr/documents", HRDocumentViewSet, basename="hr-document")
router.register("hr/complaints", ComplaintViewSet, basename="hr-complaint")
router.register("hr/dashboard", DashboardViewSet, basename="hr-dashboard")
router.register("hr/leave-types", LeaveTypeViewSet, basename="hr-leave-type")
router.register("hr/leave-policies", LeavePolicyViewSet, basename="hr-leave-policy")
router.register("hr/holiday-groups", HolidayGroupViewSet, basename="hr-holiday-group")
router.register("hr/leave-balances", LeaveBalanceViewSet, basename="hr-leave-balance")
router.register("hr/leave-adjustments", LeaveAdjustmentViewSet, basename="hr-leave-adjustment")
router.register("hr/leave-requests", LeaveRequestViewSet, basename="hr-leave-request")

urlpatterns = [path("me", MeView.as_view(), name="me"), *router.urls]
