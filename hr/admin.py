"""Django admin of the hr app; tenancy rules come from ``TenantAdmin``.

HR tickets are confidential even from platform staff (issue 8 point 4): a staff user who is
not an active HR member of the ticket's organisation sees that a ticket exists (its
reference, organisation, category, priority, status and dates: enough to operate the
platform), but never its subject, description, resolution, reporter, the person it is about
or its internal notes. Search only looks at non-confidential columns (a search over the
text would reveal it one guess at a time). Tickets are filed by employees, not here, and
are read-only in the admin. Anonymous tickets store no reporter at all, so there is nothing
to reveal about them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisations.choices import MembershipStatus, Role
from organisations.models import Membership
from trackyoursheets.admin import ReadOnlyAdminMixin, TenantAdmin, TenantAdminForm, TenantInline

from .choices import EmploymentType
from .models import (
    Complaint,
    ComplaintNote,
    ComplaintReply,
    Employee,
    EmployeeExternalId,
    Holiday,
    HolidayGroup,
    HRDocument,
    HRDocumentAcknowledgement,
    HRDocumentVersion,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
    WorkSchedule,
)

CONFIDENTIAL = _("(confidential: HR of this organisation only)")


def hr_organisation_ids(request) -> set[int]:
    """Organisations where the staff user is an active HR member (cached on the request)."""
    if not hasattr(request, "_hr_organisation_ids"):
        request._hr_organisation_ids = set(
            Membership.objects.filter(user=request.user, role=Role.HR, status=MembershipStatus.ACTIVE).values_list(
                "organisation_id", flat=True
            )
        )
    return request._hr_organisation_ids


class EmployeeExternalIdInline(TenantInline, admin.TabularInline):
    model = EmployeeExternalId
    fk_name = "employee"
    fields = ("source", "external_id")


class EmployeeAdminForm(TenantAdminForm):
    """Fields with a model default may be left out of a POST (as before the directory grew)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "employment_type" in self.fields:
            self.fields["employment_type"].required = False

    def clean_employment_type(self):
        return self.cleaned_data.get("employment_type") or EmploymentType.FULL_TIME


@admin.register(Employee)
class EmployeeAdmin(TenantAdmin):
    list_display = (
        "full_name",
        "email",
        "organisation",
        "office",
        "job_title",
        "department",
        "membership",
        "status",
        "created_at",
    )
    list_select_related = ("organisation", "office", "membership__user")
    list_filter = ("status", "employment_type", "organisation")
    search_fields = ("first_name", "last_name", "preferred_name", "email", "employee_number", "membership__user__email")
    inlines = (EmployeeExternalIdInline,)
    form = EmployeeAdminForm

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj) -> str:
        return str(obj)


@admin.register(EmployeeExternalId)
class EmployeeExternalIdAdmin(TenantAdmin):
    list_display = ("external_id", "source", "employee", "organisation", "created_at")
    list_select_related = ("organisation", "employee")
    list_filter = ("source", "organisation")
    search_fields = ("external_id", "employee__first_name", "employee__last_name")


class HRDocumentVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HRDocumentVersion
    fk_name = "document"
    fields = ("number", "label", "file_name", "content_type", "size", "created_at")
    readonly_fields = fields
    extra = 0


@admin.register(HRDocument)
class HRDocumentAdmin(TenantAdmin):
    """Documents are uploaded through the HR portal or the API (content-checked, privately
    stored); here staff may correct their title, audience and publish date."""

    list_display = ("title", "category", "organisation", "audience", "requires_acknowledgement", "published_at")
    list_select_related = ("organisation",)
    list_filter = ("category", "audience", "requires_acknowledgement", "organisation")
    search_fields = ("title", "organisation__name")
    exclude = ("current_version",)
    inlines = (HRDocumentVersionInline,)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HRDocumentVersion)
class HRDocumentVersionAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("document", "number", "label", "file_name", "content_type", "size", "organisation", "created_at")
    list_select_related = ("organisation", "document")
    list_filter = ("content_type", "organisation")
    search_fields = ("document__title", "file_name", "sha256")


@admin.register(HRDocumentAcknowledgement)
class HRDocumentAcknowledgementAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("employee", "document", "version", "organisation", "acknowledged_at")
    list_select_related = ("organisation", "employee", "document", "version__document")
    list_filter = ("organisation",)
    search_fields = ("document__title", "employee__first_name", "employee__last_name", "employee__email")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """Read-only; confidential fields only for HR members of the ticket's organisation."""

    list_display = ("reference_label", "subject_label", "organisation", "category", "priority", "status", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("status", "priority", "category", "is_anonymous", "organisation")
    search_fields = ("=id", "organisation__name")
    PUBLIC_FIELDS = (
        "organisation",
        "category",
        "priority",
        "status",
        "is_anonymous",
        "assignee",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
    )
    CONFIDENTIAL_FIELDS = ("subject", "description", "about_employee", "reporter", "resolution")

    def is_hr_for(self, request, obj) -> bool:
        return obj is not None and obj.organisation_id in hr_organisation_ids(request)

    def get_queryset(self, request):
        # the body columns are never even loaded for a changelist
        return super().get_queryset(request).defer("description", "resolution", "follow_token_hash")

    def get_fields(self, request, obj=None):
        if self.is_hr_for(request, obj):
            return self.PUBLIC_FIELDS + self.CONFIDENTIAL_FIELDS
        return self.PUBLIC_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("ticket"), ordering="id")
    def reference_label(self, obj) -> str:
        return obj.reference

    @admin.display(description=_("subject"))
    def subject_label(self, obj) -> str:
        request = getattr(self, "_request", None)
        if request is not None and obj.organisation_id in hr_organisation_ids(request):
            return obj.subject
        return str(CONFIDENTIAL)

    def changelist_view(self, request, extra_context=None):
        self._request = request
        try:
            return super().changelist_view(request, extra_context)
        finally:
            self._request = None


@admin.register(ComplaintNote)
class ComplaintNoteAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """Internal notes are nothing but confidential text: only HR of their organisation list them."""

    list_display = ("__str__", "organisation", "author_label", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("organisation",)
    search_fields = ("=complaint__id",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organisation_id__in=hr_organisation_ids(request))


@admin.register(ComplaintReply)
class ComplaintReplyAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """The reply thread (issue 14 point 9) is confidential text too: only HR of their organisation
    list it, read-only; an anonymous reporter's reply names nobody here either."""

    list_display = ("__str__", "organisation", "from_hr", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("organisation", "from_hr")
    search_fields = ("=complaint__id",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organisation_id__in=hr_organisation_ids(request))


# =============================================================================
# Leave (issue 16): the set-up is edited here; the ledger and requests are records (read-only:
# balances change through services, each with its ledger row, audit row and event)
# =============================================================================


@admin.register(LeaveType)
class LeaveTypeAdmin(TenantAdmin):
    list_display = ("name", "organisation", "kind", "paid", "pay_code_name", "active")
    list_filter = ("organisation", "kind", "paid", "active")
    search_fields = ("name", "pay_code_name")


@admin.register(LeavePolicy)
class LeavePolicyAdmin(TenantAdmin):
    list_display = ("name", "organisation", "leave_type", "accrual_method", "annual_hours", "active")
    list_filter = ("organisation", "accrual_method", "active")
    list_select_related = ("organisation", "leave_type")
    search_fields = ("name",)
    filter_horizontal = ("offices", "employees")


class HolidayInline(TenantInline, admin.TabularInline):
    model = Holiday
    fields = ("date", "name", "half_day")
    extra = 0


@admin.register(Holiday)
class HolidayAdmin(TenantAdmin):
    list_display = ("date", "name", "half_day", "group", "organisation")
    list_select_related = ("organisation", "group")
    list_filter = ("half_day", "organisation")
    search_fields = ("name", "group__name")
    date_hierarchy = "date"


@admin.register(HolidayGroup)
class HolidayGroupAdmin(TenantAdmin):
    list_display = ("name", "organisation", "region")
    search_fields = ("name", "region")
    filter_horizontal = ("offices",)
    inlines = (HolidayInline,)


@admin.register(WorkSchedule)
class WorkScheduleAdmin(TenantAdmin):
    list_display = (
        "employee",
        "organisation",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
    list_select_related = ("organisation", "employee")
    raw_id_fields = ("employee",)
    search_fields = ("employee__last_name", "employee__first_name")


class LeaveLedgerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LeaveLedgerEntry
    fields = ("effective_date", "kind", "hours", "reason", "request", "created_by_label")
    readonly_fields = fields
    extra = 0


@admin.register(LeaveAccount)
class LeaveAccountAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("employee", "leave_type", "organisation")
    list_select_related = ("organisation", "employee", "leave_type")
    search_fields = ("employee__last_name", "employee__first_name")
    inlines = (LeaveLedgerInline,)


@admin.register(LeaveLedgerEntry)
class LeaveLedgerEntryAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("account", "kind", "hours", "effective_date", "organisation")
    list_filter = ("organisation", "kind")
    list_select_related = ("organisation", "account__employee", "account__leave_type")
    search_fields = ("reason", "account__employee__last_name")


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("employee", "leave_type", "start_date", "end_date", "hours", "status", "organisation")
    list_filter = ("organisation", "status", "unit")
    list_select_related = ("organisation", "employee", "leave_type")
    search_fields = ("employee__last_name", "employee__first_name")
    date_hierarchy = "start_date"
