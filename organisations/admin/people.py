"""Admin of users, organisations and their structure (offices, memberships, workspaces, producers)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from trackyoursheets.admin import (
    CHOICE_LABEL_RELATED,
    AuditedAdminMixin,
    TenantAdmin,
    TenantInline,
    TenantInlineFormSet,
    TimezoneChoiceMixin,
)

from ..choices import MembershipStatus, WorkspaceStatus
from ..models import Membership, Office, Organisation, Producer, User, Workspace, WorkspaceAgent
from ..plans import FEATURES
from ..selectors import organisation_usage
from ..services import head_office_ensure
from .helpers import warn_if_over_plan

# a membership's label reads its user: load it with the choices
CHOICE_LABEL_RELATED[Membership._meta.label] = ("user",)


# =============================================================================
# Users
# =============================================================================


class UserCreationForm(AdminUserCreationForm):
    """Email instead of a username; password1/password2 (or no password) as in Django's admin."""

    class Meta:
        model = User
        fields = ("email", "full_name")
        field_classes = {}

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {}


class UserMembershipInline(admin.TabularInline):
    """The user's memberships, read-only: members are added from their organisation's page."""

    model = Membership
    fields = ("organisation", "role", "office", "status", "created_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    verbose_name_plural = _("memberships")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "office")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "last_login", "date_joined")
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = (UserMembershipInline,)

    def get_inlines(self, request, obj):
        # the add form is email and password only, like Django's own user admin
        return self.inlines if obj is not None else ()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # only a superuser may hand out superuser status, groups or permissions
            fields += ("is_superuser", "groups", "user_permissions")
        return fields


# =============================================================================
# Organisations
# =============================================================================


def _count_of(model, **filters):
    """A correlated count per organisation (tenant FKs have no reverse accessor)."""
    counts = (
        model.objects.filter(organisation=OuterRef("pk"), **filters)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


class OfficeInline(TimezoneChoiceMixin, TenantInline, admin.TabularInline):
    model = Office
    fields = ("name", "timezone", "address")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "address":
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return field


class MembershipInline(TenantInline, admin.TabularInline):
    model = Membership
    fields = ("user", "role", "office", "status")
    autocomplete_fields = ("user",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "office")


class WorkspaceSummaryInline(admin.TabularInline):
    """Read-only summary; workspaces (and their agents) are edited on their own page."""

    model = Workspace
    formset = TenantInlineFormSet
    fields = ("name", "office", "status", "agent_count")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office").annotate(_agent_count=Count("agent_links"))

    @admin.display(description=_("agents"))
    def agent_count(self, obj) -> int:
        return getattr(obj, "_agent_count", 0)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, TimezoneChoiceMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "plan", "seats", "workspaces", "is_active", "created_at")
    list_filter = ("plan", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("usage", "effective_features", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "plan", "is_active")}),
        (_("Locale"), {"fields": ("timezone", "currency")}),
        (_("API"), {"fields": ("api_rate_limit_per_minute",)}),
        (_("Features"), {"fields": ("feature_toggles", "effective_features")}),
        (_("Usage"), {"fields": ("usage",)}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (OfficeInline, MembershipInline, WorkspaceSummaryInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                seats_used=_count_of(Membership, status=MembershipStatus.ACTIVE),
                workspaces_used=_count_of(Workspace, status=WorkspaceStatus.ACTIVE),
            )
        )

    @admin.display(description=_("seats used / limit"), ordering="seats_used")
    def seats(self, obj) -> str:
        return f"{obj.seats_used} / {obj.plan_details.max_seats}"

    @admin.display(description=_("workspaces used / limit"), ordering="workspaces_used")
    def workspaces(self, obj) -> str:
        return f"{obj.workspaces_used} / {obj.plan_details.max_workspaces}"

    @admin.display(description=_("usage"))
    def usage(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        usage = organisation_usage(organisation=obj)
        add_workspace = reverse("admin:organisations_workspace_add") + "?" + urlencode({"organisation": obj.pk})
        return format_html(
            '{}: {} / {}<br>{}: {} / {} · <a href="{}">{}</a><br>{}: {}',
            _("Active seats"),
            usage["seats"]["used"],
            usage["seats"]["limit"],
            _("Active workspaces"),
            usage["workspaces"]["used"],
            usage["workspaces"]["limit"],
            add_workspace,
            _("add a workspace"),
            _("Agents per workspace"),
            usage["agents_per_workspace"]["limit"],
        )

    @admin.display(description=_("effective features"))
    def effective_features(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        included = obj.plan_details.features
        effective = obj.features
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>",
            (
                (
                    name,
                    _("yes") if name in included else _("no"),
                    {True: _("on"), False: _("off")}.get(obj.feature_toggles.get(name), "—"),
                    _("enabled") if effective[name] else _("disabled"),
                )
                for name in FEATURES
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("feature"),
            _("in plan"),
            _("toggle"),
            _("effective"),
            rows,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # saved without an office inline: its head office (issue 13 point 11)
            head_office_ensure(organisation=form.instance)
        warn_if_over_plan(request, form.instance)


# =============================================================================
# Structure: offices, memberships, workspaces
# =============================================================================


@admin.register(Office)
class OfficeAdmin(TimezoneChoiceMixin, TenantAdmin):
    list_display = ("name", "organisation", "timezone", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("organisation", "timezone")
    search_fields = ("name", "address", "organisation__name")


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ("user", "organisation", "role", "office", "status", "created_at")
    list_select_related = ("user", "organisation", "office")
    list_filter = ("role", "status", "organisation")
    search_fields = ("user__email", "user__full_name", "organisation__name")
    autocomplete_fields = ("organisation", "user")
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_if_over_plan(request, obj.organisation)


class WorkspaceAgentInline(TenantInline, admin.TabularInline):
    """Agents of the workspace; only members of the workspace's organisation are choices."""

    model = WorkspaceAgent
    fields = ("membership", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = _("agent")
    verbose_name_plural = _("agents")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("membership__user")


@admin.register(Workspace)
class WorkspaceAdmin(TenantAdmin):
    list_display = ("name", "organisation", "office", "status", "agent_count", "created_at")
    list_select_related = ("organisation", "office")
    list_filter = ("status", "organisation")
    search_fields = ("name", "description", "office__name", "organisation__name")
    exclude = ("agents",)
    inlines = (WorkspaceAgentInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agent_count=Count("agent_links"))

    @admin.display(description=_("agents"), ordering="_agent_count")
    def agent_count(self, obj) -> int:
        return obj._agent_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        workspace = form.instance
        warn_if_over_plan(request, workspace.organisation)
        limit = workspace.organisation.plan_details.max_agents_per_workspace
        agents = WorkspaceAgent.objects.filter(workspace=workspace).count()
        if agents > limit:
            messages.warning(
                request,
                _("%(workspace)s now has %(used)s agents; the plan allows %(limit)s per workspace.")
                % {"workspace": workspace, "used": agents, "limit": limit},
            )


@admin.register(WorkspaceAgent)
class WorkspaceAgentAdmin(TenantAdmin):
    list_display = ("membership", "workspace", "organisation", "created_at")
    list_select_related = ("membership__user", "workspace", "organisation")
    list_filter = ("organisation",)
    search_fields = ("workspace__name", "membership__user__email", "membership__user__full_name")


# =============================================================================
# Producers
# =============================================================================


@admin.register(Producer)
class ProducerAdmin(TenantAdmin):
    list_display = (
        "display_name",
        "producer_code",
        "email",
        "organisation",
        "workspace",
        "status",
        "portal_access",
        "default_split_percent",
    )
    list_select_related = ("organisation", "workspace")
    list_filter = ("status", "portal_access", "organisation")
    search_fields = ("display_name", "email", "producer_code")
