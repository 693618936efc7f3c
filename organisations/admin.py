"""Django admin for people, tenancy and OAuth clients (issue 2 point 11).

The admin is the platform operators' console: staff see every organisation, so
changelists filter by organisation instead of being scoped to one (DESIGN §3
scoping applies to tenant-facing entry points). What keeps it safe:

- every tenant-owned row is edited through :class:`TenantAdminForm`, which refuses a
  related row of another organisation with a form error (on top of the models'
  ``clean()``, which ``ModelAdmin`` runs through ``full_clean()``);
- a row's organisation is fixed once it exists (read-only on the change page);
- choices of tenant-owned relations are limited to the object's organisation when
  editing, to the parent's organisation in inlines, and to ``?organisation=<id>`` on
  an add page; otherwise every choice is labelled with its organisation;
- OAuth clients are created by :func:`organisations.services.api_client_create`; the
  secret is shown once and only its hash is stored;
- every add, change and delete of a tenant's row lands in its audit trail
  (:class:`organisations.audit.AuditedAdminMixin`).

:class:`TenantAdmin` and :class:`TenantInline` are the bases for every app's admin.
"""

from __future__ import annotations

import json
import zoneinfo

# DOT registers its admins on import; import it first so the application admin it
# registered for the swapped model can be replaced below whatever the app order.
import oauth2_provider.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from trackyoursheets.api.scopes import SCOPES

from .actors import Actor
from .audit import AuditedAdminMixin, admin_audit_context
from .choices import MembershipStatus, WorkspaceStatus
from .models import (
    ApiToken,
    AuditEvent,
    IdempotencyRecord,
    ImpersonationToken,
    Invitation,
    Membership,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthClientSecret,
    Office,
    Organisation,
    Producer,
    StatusIncident,
    User,
    Workspace,
    WorkspaceAgent,
)
from .plans import FEATURES
from .selectors import organisation_usage
from .services import (
    api_client_create,
    api_token_revoke,
    oauth_client_previous_secrets_revoke,
    oauth_client_secret_rotate,
)

__all__ = [
    "ReadOnlyAdminMixin",
    "TenantAdmin",
    "TenantAdminForm",
    "TenantInline",
    "TenantInlineFormSet",
    "TimezoneChoiceMixin",
]

admin.site.site_header = _("TrackYourSheets administration")
admin.site.site_title = _("TrackYourSheets admin")
admin.site.index_title = _("Platform administration")


# =============================================================================
# Tenancy helpers shared by every app's admin
# =============================================================================


def is_tenant_owned(model) -> bool:
    """Rows with an ``organisation`` foreign key (every ``TenantModel``, OAuth clients)."""
    return any(f.name == "organisation" and f.is_relation for f in model._meta.concrete_fields)


#: Relations each model's ``__str__`` reads, loaded with the choices so a select of N
#: options costs one query.
_LABEL_RELATED = {Membership: ("user",)}


def requested_organisation_id(request) -> int | None:
    """``?organisation=<id>`` on an add page: prefills the field and limits the choices."""
    value = request.GET.get("organisation", "") if request is not None else ""
    return int(value) if value.isdigit() else None


def limit_to_organisation(field, organisation_id: int | None, *, unknown_is_empty: bool = False) -> None:
    """Limit a tenant-owned choice field to one organisation.

    When the organisation is not known yet (an add page), every row stays a choice but
    is labelled with its organisation; ``unknown_is_empty`` offers none instead (rows of
    an organisation that is being created cannot exist yet).
    """
    if not isinstance(field, forms.ModelChoiceField) or not is_tenant_owned(field.queryset.model):
        return
    model = field.queryset.model
    queryset = field.queryset.select_related(*_LABEL_RELATED.get(model, ()))
    if organisation_id is not None:
        field.queryset = queryset.filter(organisation_id=organisation_id)
    elif unknown_is_empty:
        field.queryset = queryset.none()
    else:
        field.queryset = queryset.select_related("organisation")
        field.label_from_instance = lambda obj: f"{obj} · {obj.organisation}"


def _organisation_id_of(obj) -> int | None:
    if obj is None:
        return None
    return obj.pk if isinstance(obj, Organisation) else obj.organisation_id


class TenantAdminForm(forms.ModelForm):
    """Refuses a related row of another organisation, naming the field.

    The models' ``clean()`` does the same for the relations it knows; this covers every
    tenant-owned relation of every model, so the admin cannot build a graph spanning two
    tenants even where a model has no ``clean()`` yet.
    """

    def clean(self):
        cleaned_data = super().clean()
        organisation_id = self._organisation_id()
        if organisation_id is None:
            return cleaned_data
        for name, value in list(cleaned_data.items()):
            if name == "organisation" or not hasattr(value, "_meta") or not is_tenant_owned(type(value)):
                continue
            if value.organisation_id != organisation_id:
                self.add_error(
                    name,
                    _("“%(object)s” belongs to another organisation (%(other)s); choose one of this organisation’s.")
                    % {"object": value, "other": value.organisation},
                )
        return cleaned_data

    def _organisation_id(self) -> int | None:
        if "organisation" in self.fields:
            return _organisation_id_of(self.cleaned_data.get("organisation"))
        return getattr(self.instance, "organisation_id", None)


class TimezoneChoiceMixin:
    """``timezone`` fields as a select of IANA names instead of free text."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "timezone":
            return forms.ChoiceField(
                choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
                initial=db_field.default,
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TenantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Base for the admin of every tenant-owned model.

    Subclasses extend ``list_filter`` (keep ``"organisation"``), set ``search_fields``,
    ``list_select_related`` and ``list_display``.
    """

    form = TenantAdminForm
    autocomplete_fields = ("organisation",)
    list_filter = ("organisation",)
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and "organisation" not in fields:
            # a row never moves between tenants: its relations would be left behind
            fields = ("organisation", *fields)
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        organisation_id = obj.organisation_id if obj is not None else requested_organisation_id(request)
        for field in form.base_fields.values():
            limit_to_organisation(field, organisation_id)
        return form


class TenantInlineFormSet(BaseInlineFormSet):
    """New rows take the organisation of their parent (or are its rows, for an organisation)."""

    @classmethod
    def get_default_prefix(cls) -> str:
        # tenant FKs have related_name="+", which would leave the prefix empty
        return super().get_default_prefix() or f"{cls.model._meta.model_name}_set"

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if not isinstance(self.instance, Organisation) and form.instance.organisation_id is None:
            form.instance.organisation_id = self.instance.organisation_id
        return form


class TenantInline:
    """Inline of tenant-owned rows: its relations are limited to the parent's organisation."""

    form = TenantAdminForm
    formset = TenantInlineFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        # ModelAdmin.get_inline_instances() builds inline instances per request, so the
        # parent can live on the instance for formfield_for_foreignkey below.
        self.parent_object = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        parent = getattr(self, "parent_object", None)
        organisation_id = _organisation_id_of(parent) if parent is not None else requested_organisation_id(request)
        limit_to_organisation(field, organisation_id, unknown_is_empty=self.parent_model is Organisation)
        return field


class ReadOnlyAdminMixin:
    """Records written by the platform itself (outbox, audit, tokens): view, never edit.

    A hand-made or hand-edited row would make the record lie about what happened.
    ``allow_delete`` lets staff remove rows that are only a cache.
    """

    allow_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.allow_delete and super().has_delete_permission(request, obj)


def staff_actor(request, organisation: Organisation) -> Actor:
    """Platform staff acting in the admin: the system, on behalf of a named user (audited as "admin")."""
    return Actor(organisation=organisation, user=request.user, kind="system").with_audit(admin_audit_context(request))


def pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, default=str))


def warn_if_over_plan(request, organisation: Organisation) -> None:
    """Staff may go past a plan's limits here (services refuse it); say so when they do."""
    usage = organisation_usage(organisation=organisation)
    for key, label in (("seats", _("active seats")), ("workspaces", _("active workspaces"))):
        if usage[key]["used"] > usage[key]["limit"]:
            messages.warning(
                request,
                _("%(organisation)s now has %(used)s %(what)s; the %(plan)s plan allows %(limit)s.")
                % {
                    "organisation": organisation,
                    "used": usage[key]["used"],
                    "what": label,
                    "plan": organisation.plan_details.name,
                    "limit": usage[key]["limit"],
                },
            )


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


# =============================================================================
# OAuth clients
# =============================================================================


class OAuthApplicationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("granted scopes"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The client may request only these scopes."),
    )

    class Meta:
        model = OAuthApplication
        fields = ("organisation", "name", "scopes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.initial.get("scopes"), str):
            self.initial["scopes"] = self.initial["scopes"].split()
        if self.instance.pk is None:
            # validate what api_client_create will create
            self.instance.client_type = OAuthApplication.CLIENT_CONFIDENTIAL
            self.instance.authorization_grant_type = OAuthApplication.GRANT_CLIENT_CREDENTIALS

    def clean_scopes(self) -> str:
        return " ".join(sorted(set(self.cleaned_data["scopes"])))


class OAuthApplicationGrantForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        application, organisation = cleaned_data.get("application"), cleaned_data.get("organisation")
        if application is not None and organisation is not None and application.organisation_id == organisation.pk:
            # the rule of oauth_client_grant_organisation, as a form error
            self.add_error("organisation", _("A client always acts in its own organisation."))
        return cleaned_data


class OAuthApplicationGrantInline(admin.TabularInline):
    """Other organisations the client may act in (its own needs no row); cross-tenant by design."""

    model = OAuthApplicationGrant
    form = OAuthApplicationGrantForm
    fields = ("organisation", "granted_by", "created_at")
    readonly_fields = ("granted_by", "created_at")
    autocomplete_fields = ("organisation",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "granted_by")


class OAuthClientSecretInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Previous secrets still accepted during rotation; their hashes are never shown."""

    model = OAuthClientSecret
    fields = ("created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    verbose_name = _("previous secret")
    verbose_name_plural = _("previous secrets (rotation grace)")


admin.site.unregister(OAuthApplication)


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Confidential client-credentials clients, one organisation each.

    Created through ``api_client_create``: the secret is generated, shown once in a
    message, and stored hashed; the hash is never shown.
    """

    form = OAuthApplicationForm
    list_display = ("name", "client_id", "organisation", "scope_summary", "created")
    list_select_related = ("organisation",)
    list_filter = ("organisation", "created")
    search_fields = ("name", "client_id", "organisation__name")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "created"
    inlines = (OAuthApplicationGrantInline, OAuthClientSecretInline)
    view_on_site = False  # DOT's get_absolute_url names a URL we do not mount
    actions = ("rotate_secret", "revoke_previous_secrets")
    readonly_fields = (
        "client_id",
        "client_secret_status",
        "client_type",
        "authorization_grant_type",
        "registration_source",
        "created_by",
        "created",
        "updated",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("organisation", "name", "scopes")}),)
        return (
            (None, {"fields": ("organisation", "name", "client_id", "client_secret_status")}),
            (_("Access"), {"fields": ("scopes", "rate_limit_per_minute")}),
            (
                _("Client"),
                {"fields": ("client_type", "authorization_grant_type", "registration_source", "created_by")},
            ),
            (_("Record"), {"fields": ("created", "updated")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("organisation", *self.readonly_fields)

    def get_inlines(self, request, obj):
        # the add form is exactly what api_client_create takes; grants come afterwards
        return self.inlines if obj is not None else ()

    @admin.display(description=_("scopes"))
    def scope_summary(self, obj) -> str:
        scopes = obj.scopes.split()
        if len(scopes) <= 3:
            return ", ".join(scopes) or "—"
        return _("%(first)s and %(more)s more") % {"first": ", ".join(scopes[:3]), "more": len(scopes) - 3}

    @admin.display(description=_("client secret"))
    def client_secret_status(self, obj) -> str:
        return _(
            "Stored hashed; shown once, when the client was created or its secret rotated. "
            "To replace it, use the “Rotate the client secret” action on the list."
        )

    def _show_secret_once(self, request, application, secret: str, note) -> None:
        messages.success(
            request,
            format_html(
                "{} <code>{}</code> {} <code>{}</code>. {}",
                _("Client ID"),
                application.client_id,
                _("and client secret"),
                secret,
                note,
            ),
        )

    @admin.action(
        description=_("Rotate the client secret (the old one keeps working for 24 hours)"), permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        for application in queryset:
            rotated = oauth_client_secret_rotate(application=application)
            self.log_change(request, application, [{"changed": {"fields": ["client secret"]}}])
            self._show_secret_once(
                request,
                application,
                rotated.client_secret,
                _("Copy the secret now: it will not be shown again. The previous one works until %(until)s.")
                % {"until": formats.localize(timezone.localtime(rotated.previous_secret_expires_at))},
            )

    @admin.action(description=_("End the grace period of previous secrets now"), permissions=["change"])
    def revoke_previous_secrets(self, request, queryset):
        revoked = 0
        for application in queryset:
            revoked += oauth_client_previous_secrets_revoke(application=application)
            self.log_change(request, application, [{"changed": {"fields": ["previous secrets"]}}])
        messages.success(request, _("%(count)s previous secrets no longer work.") % {"count": revoked})

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = api_client_create(
            organisation=obj.organisation,
            name=obj.name,
            scopes=form.cleaned_data["scopes"].split(),
            created_by=request.user,
        )
        # the admin goes on with ``obj`` (change message, redirect): make it the saved row
        obj.__dict__.update(created.application.__dict__)
        self._show_secret_once(
            request,
            obj,
            created.client_secret,
            _("Copy the secret now: only its hash is stored and it will not be shown again."),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is OAuthApplicationGrant:
            for grant_form in formset.forms:
                if grant_form.instance.pk is None:
                    grant_form.instance.granted_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(OAuthApplicationGrant)
class OAuthApplicationGrantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = OAuthApplicationGrantForm
    list_display = ("application", "organisation", "granted_by", "created_at")
    list_select_related = ("application", "organisation", "granted_by")
    list_filter = ("organisation",)
    search_fields = ("application__name", "application__client_id", "organisation__name")
    autocomplete_fields = ("application", "organisation")
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(OAuthClientSecret)
class OAuthClientSecretAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_select_related = ("application",)
    list_filter = ("application__organisation",)
    search_fields = ("application__name", "application__client_id")
    fields = ("application", "created_at", "expires_at", "revoked_at", "last_used_at")


# =============================================================================
# API platform records
# =============================================================================


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Personal API tokens: shown once to their member; only a hash is stored (never shown)."""

    list_display = ("name", "prefix_display", "membership", "organisation", "expires_at", "last_used_at", "revoked_at")
    actions = ("revoke",)
    list_select_related = ("membership__user", "organisation")
    list_filter = ("organisation", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "membership__user__email")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "membership",
        "name",
        "prefix",
        "scopes",
        "rate_limit_per_minute",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("prefix"), ordering="prefix")
    def prefix_display(self, obj) -> str:
        return f"{obj.prefix}…"

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("organisations.change_apitoken")

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        for api_token in queryset.select_related("organisation"):
            api_token_revoke(actor=staff_actor(request, api_token.organisation), api_token=api_token)
            self.log_change(request, api_token, [{"changed": {"fields": ["revoked at"]}}])
        messages.success(request, _("%(count)s tokens revoked.") % {"count": len(queryset)})


@admin.register(ImpersonationToken)
class ImpersonationTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("producer", "application", "organisation", "prefix", "expires_at", "revoked_at", "created_at")
    list_select_related = ("producer", "application", "organisation")
    list_filter = ("organisation", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("producer__display_name", "application__name", "application__client_id", "prefix")
    date_hierarchy = "created_at"
    fields = ("organisation", "producer", "application", "prefix", "scopes", "expires_at", "revoked_at", "created_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "organisation",
        "source",
        "actor_label",
        "method",
        "path",
        "action",
        "object_type",
        "object_id",
        "status_code",
    )
    list_display_links = ("created_at", "actor_label")
    list_select_related = ("organisation",)
    list_filter = ("source", "object_type", "organisation")
    search_fields = ("actor_label", "path", "action", "=request_id", "=object_id")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "source",
        "actor_label",
        "actor_user",
        "application",
        "api_token",
        "impersonated_producer",
        "method",
        "path",
        "status_code",
        "action",
        "object_type",
        "object_id",
        "pretty_changes",
        "request_id",
        "created_at",
    )
    readonly_fields = ("pretty_changes",)
    list_per_page = 100

    @admin.display(description=_("changes"))
    def pretty_changes(self, obj) -> str:
        return pretty_json(obj.changes)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Claimed and completed by the API; deleting a row releases a stuck key.

    The stored response body is not shown: it is a tenant's data, kept only to replay.
    """

    list_display = ("key", "credential", "organisation", "method", "path", "state", "response_status", "expires_at")
    list_select_related = ("organisation",)
    list_filter = ("state", "method", "organisation")
    search_fields = ("=key", "credential", "path", "=request_id")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "credential",
        "key",
        "fingerprint",
        "method",
        "path",
        "state",
        "locked_until",
        "response_status",
        "response_headers",
        "request_id",
        "created_at",
        "expires_at",
    )
    allow_delete = True


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations sent from the Team page; the link's token is never stored or shown."""

    list_display = ("email", "organisation", "invited_by", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("organisation", "invited_by")
    list_filter = ("organisation", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    fields = (
        "organisation", "membership", "email", "invited_by", "expires_at", "accepted_at", "revoked_at", "created_at",
    )


@admin.register(StatusIncident)
class StatusIncidentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Entries of the public API status feed at /api-status.xml."""

    list_display = ("title", "severity", "started_at", "resolved_at", "published")
    list_filter = ("severity", "published", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "body")
    date_hierarchy = "started_at"
