"""Page: the audit trail (owners and admins), on the shared table with its Export… button
(issue 17 point 7: the ``audit_events`` report with the page's filters).

Reads :func:`organisations.audit.audit_event_list` filtered by ``AuditEventFilterSet`` (the
filters of ``GET /v1/audit-events``), newest first.
"""

from __future__ import annotations

from django import forms
from django.urls import path
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web import ConsolePage, TablePageMixin
from trackyoursheets.web.tables import CHOICE, DATETIME, Column, Table

from ..audit import audit_event_list
from ..choices import OWNER_ADMIN
from ..forms.console import ConsoleFilterForm
from ..models import AuditEvent


class AuditFilterForm(ConsoleFilterForm):
    actor = forms.CharField(label=_("Actor contains"), required=False, max_length=200)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any")), *AuditEvent.Source.choices])
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=128)


class AuditEventTable(Table):
    name = "audit-trail"
    noun = _("events")
    empty_text = _("No audit events match.")
    default_sort = "-created_at"
    report = "audit_events"  # its report export (issue 17): the Export button
    columns = (
        Column("created_at", _("When"), kind=DATETIME, sort="created_at"),
        Column("actor_label", _("Actor"), sort="actor_label"),
        Column("action", _("Action"), sort="action"),
        Column("object_type", _("Object"), sort="object_type", detail=lambda e: e.object_id),
        Column("source", _("Source"), kind=CHOICE, sort="source"),
        Column("method", _("Method")),
        Column("path", _("Path"), export_only=True),
        Column("request_id", _("Request id"), export_only=True),
    )


class AuditLogView(TablePageMixin, ConsolePage):
    """Who changed what, with filters (``AuditEventFilterSet``'s names)."""

    allowed_roles = OWNER_ADMIN
    template_name = "app/console/audit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = AuditFilterForm(self.request.GET or None)
        events = audit_event_list(actor=self.actor, filters=filter_form.filters())
        context.update(filter_form=filter_form, table=AuditEventTable(self.request, events))
        return context


urlpatterns = [path("audit", AuditLogView.as_view(), name="audit")]
