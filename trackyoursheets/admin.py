"""Admin base classes for every app's tenant-owned models (issue 12 point 3; STYLE §1).

The admin is the platform operators' console: staff see every organisation, so changelists
filter by organisation instead of being scoped to one. What keeps it safe:

- every tenant-owned row is edited through :class:`TenantAdminForm`, which refuses a related
  row of another organisation with a form error (on top of the models' ``clean()``);
- a row's organisation is fixed once it exists (read-only on the change page);
- choices of tenant-owned relations are limited to the object's organisation when editing, to
  the parent's organisation in inlines, and to ``?organisation=<id>`` on an add page;
  otherwise every choice is labelled with its organisation;
- every add, change and delete lands in the organisation's audit trail
  (:class:`AuditedAdminMixin`).

This module imports no app. The tenant model is named by ``settings.TENANT_MODEL``; the audit
trail belongs to ``organisations``, which registers its writer with
:func:`register_admin_audit` from ``organisations/admin`` (a hook, so the project package
stays the lowest layer).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CHOICE_LABEL_RELATED",
    "AuditedAdminMixin",
    "ReadOnlyAdminMixin",
    "TenantAdmin",
    "TenantAdminForm",
    "TenantInline",
    "TenantInlineFormSet",
    "TimezoneChoiceMixin",
    "is_tenant_owned",
    "is_tenant_root",
    "limit_to_organisation",
    "register_admin_audit",
    "requested_organisation_id",
]


# =============================================================================
# Audit hook
# =============================================================================

#: ``writer(*, request, obj, action, changes)`` records one admin change and
#: ``operation(*, request, operation)`` names the admin operation the services of this request
#: record their rows under (both set by organisations.admin)
_audit_hooks: dict[str, Callable] = {}


def register_admin_audit(writer: Callable, *, operation: Callable | None = None) -> None:
    """Called once by the app that owns the audit trail (``organisations.admin``)."""
    _audit_hooks["writer"] = writer
    if operation is not None:
        _audit_hooks["operation"] = operation


class AuditedAdminMixin:
    """Django admin: every add, change and delete of a tenant row also lands in the audit trail.

    Django's add/change/delete views run in one transaction (``changeform_view``,
    ``delete_view``) and call ``log_*`` inside it after ``save_model``/``delete_model``, so the
    row commits with the change; admin actions (bulk delete) are wrapped here. When a form saves
    through a service, the service writes the row, named after the admin operation
    (``<model>.create`` / ``.update`` / ``.delete``), and the writer adds none.
    """

    def _audit(self, request, obj, action: str, changes: dict | None = None) -> None:
        writer = _audit_hooks.get("writer")
        if writer is None:  # an unaudited admin change must not happen silently
            raise ImproperlyConfigured("No admin audit writer registered (organisations.admin registers it).")
        writer(request=request, obj=obj, action=action, changes=changes)

    def _audit_operation(self, request, operation: str) -> None:
        hook = _audit_hooks.get("operation")
        if hook is not None:
            hook(request=request, operation=operation)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self._audit_operation(request, "create" if object_id is None else "update")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            self._audit_operation(request, "delete")
        return super().delete_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        """Admin actions in one transaction with their audit rows; the services an action calls
        record its changes as ``<model>.update`` (bulk delete logs its own deletions)."""
        if request.POST.get("action") != "delete_selected":
            self._audit_operation(request, "update")
        with transaction.atomic():
            return super().response_action(request, queryset)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "create")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        fields = sorted({f for entry in (message or []) for f in entry.get("changed", {}).get("fields", [])})
        self._audit(request, obj, "update", {"fields": fields} if fields else None)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


# =============================================================================
# Tenancy helpers shared by every app's admin
# =============================================================================


def is_tenant_owned(model) -> bool:
    """Rows with an ``organisation`` foreign key (every ``TenantModel``, OAuth clients)."""
    return any(f.name == "organisation" and f.is_relation for f in model._meta.concrete_fields)


#: model label -> the relations its ``__str__`` reads, loaded with the choices so a select of
#: N options costs one query (apps add theirs from their admin module).
CHOICE_LABEL_RELATED: dict[str, tuple[str, ...]] = {}


def is_tenant_root(model_or_obj) -> bool:
    """The tenant model itself (``settings.TENANT_MODEL``): its rows *are* organisations."""
    return model_or_obj._meta.label_lower == settings.TENANT_MODEL.lower()


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
    queryset = field.queryset.select_related(*CHOICE_LABEL_RELATED.get(model._meta.label, ()))
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
    return obj.pk if is_tenant_root(obj) else obj.organisation_id


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
        if not is_tenant_root(self.instance) and form.instance.organisation_id is None:
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
        limit_to_organisation(field, organisation_id, unknown_is_empty=is_tenant_root(self.parent_model))
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
