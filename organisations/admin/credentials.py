"""Admin of OAuth clients, API and impersonation tokens, the audit trail, idempotency
records, invitations and status incidents."""

from __future__ import annotations

# DOT registers its admins on import; import it first so the application admin it
# registered for the swapped model can be replaced below whatever the app order.
import oauth2_provider.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trackyoursheets.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from trackyoursheets.api.scopes import SCOPES

from ..models import (
    ApiToken,
    AuditEvent,
    IdempotencyRecord,
    ImpersonationToken,
    Invitation,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthClientSecret,
    StatusIncident,
)
from ..services import (
    api_client_create,
    api_token_revoke,
    oauth_client_previous_secrets_revoke,
    oauth_client_secret_rotate,
)
from .helpers import pretty_json, staff_actor

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
        "organisation",
        "membership",
        "email",
        "invited_by",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "created_at",
    )


@admin.register(StatusIncident)
class StatusIncidentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Entries of the public API status feed at /api-status.xml."""

    list_display = ("title", "severity", "started_at", "resolved_at", "published")
    list_filter = ("severity", "published", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "body")
    date_hierarchy = "started_at"
