"""Writes of HR documents: documents, their versions and acknowledgements."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Office
from trackyoursheets import storage
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events
from ..choices import Audience
from ..models import (
    HRDocument,
    HRDocumentAcknowledgement,
    HRDocumentVersion,
)
from ..selectors import employee_for_actor, employee_in_audience
from ._common import _require_hr_editor, _save


def _audience_values(audience: str, offices: list[Office] | None, roles: list[str] | None) -> tuple[str, list]:
    roles = sorted(set(roles or []))
    if audience == Audience.OFFICES and not offices:
        raise ValidationError({"office_ids": [_("Name at least one office for an office audience.")]})
    if audience != Audience.OFFICES and offices:
        raise ValidationError({"office_ids": [_("Offices are only used with the offices audience.")]})
    return (f",{','.join(roles)}," if roles else ""), list(offices or [])


def _add_version(actor: Actor, document: HRDocument, upload, label: str, notes: str = "") -> HRDocumentVersion:
    data, name, content_type = storage.validate_upload(upload)
    stored = storage.store(organisation_id=actor.organisation.pk, data=data, file_name=name, content_type=content_type)
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = HRDocumentVersion(
        organisation=actor.organisation,
        document=document,
        number=number,
        label=(label or "").strip() or str(number),
        file_name=stored.file_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_path=stored.storage_path,
        notes=notes.strip(),
        uploaded_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    try:
        _save(version)
        document.current_version = version
        document.save(update_fields=["current_version", "updated_at"])
    except Exception:
        storage.remove_stored(stored.storage_path)  # no orphan file for a row that was never saved
        raise
    return version


@transaction.atomic
def document_create(
    *,
    actor: Actor,
    title: str,
    file,
    version: str = "1",
    category: str = "policy",
    summary: str = "",
    audience: str = Audience.EVERYONE,
    offices: list[Office] | None = None,
    roles: list[str] | None = None,
    requires_acknowledgement: bool = True,
    published_at: datetime.datetime | None = None,
    publish: bool = True,
) -> HRDocument:
    """Upload a policy document (HR, owners, admins). Published now unless ``published_at`` is
    given (a future date schedules it) or ``publish`` is false (a draft)."""
    _require_hr_editor(actor)
    audience_roles, offices = _audience_values(audience, offices, roles)
    if published_at is None and publish:
        published_at = timezone.now()
    document = HRDocument(
        organisation=actor.organisation,
        title=title.strip(),
        category=category,
        summary=summary.strip(),
        audience=audience,
        audience_roles=audience_roles,
        requires_acknowledgement=requires_acknowledgement,
        published_at=published_at,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    errors = {}
    for office in offices:
        if office.organisation_id != actor.organisation.pk:
            errors["office_ids"] = [_("Not found in this organisation.")]
    if errors:
        raise ValidationError(errors)
    _save(document)
    document.audience_offices.set(offices)
    _add_version(actor, document, file, version)
    audit_change(actor=actor, action="hrdocument.create", obj=document, after=audit_snapshot(document))
    if document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


#: what a document update may change (besides its audience's offices and roles)
DOCUMENT_UPDATE_FIELDS = ("title", "category", "summary", "audience", "requires_acknowledgement", "published_at")


@transaction.atomic
def document_update(
    *,
    actor: Actor,
    document: HRDocument,
    data: dict,
) -> HRDocument:
    """Change a document's title, category, summary, audience, acknowledgement flag or publish
    date (``DOCUMENT_UPDATE_FIELDS``), and its audience's ``offices`` and ``roles``. Publishing a
    draft records ``hr.document.published``."""
    _require_hr_editor(actor)
    data = dict(data)
    offices, roles = data.pop("offices", None), data.pop("roles", None)
    was_published = document.published_at is not None
    before = audit_snapshot(document)
    for key, value in data.items():
        if key not in DOCUMENT_UPDATE_FIELDS:
            raise ValidationError({key: [_("Cannot be changed here.")]})
        setattr(document, key, value.strip() if isinstance(value, str) and key != "audience" else value)
    current_offices = list(document.audience_offices.all()) if offices is None else offices
    current_roles = document.roles if roles is None else roles
    if document.audience != Audience.ROLES and roles is None:
        current_roles = []
    if document.audience != Audience.OFFICES and offices is None:
        current_offices = []
    document.audience_roles, current_offices = _audience_values(document.audience, current_offices, current_roles)
    _save(document)
    document.audience_offices.set(current_offices)
    audit_change(actor=actor, action="hrdocument.update", obj=document, before=before, after=audit_snapshot(document))
    if not was_published and document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


@transaction.atomic
def document_version_add(*, actor: Actor, document: HRDocument, file, version: str = "", notes: str = "") -> HRDocument:
    """Upload a new version; it becomes current, so everyone in the audience acknowledges again."""
    _require_hr_editor(actor)
    HRDocument.objects.select_for_update().filter(pk=document.pk).first()
    previous = document.current_version_id
    added = _add_version(actor, document, file, version, notes)
    audit_change(
        actor=actor,
        action="hrdocument.new_version",
        obj=document,
        changes={"current_version_id": [previous, added.pk], "version": [None, added.label]},
    )
    if document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


@transaction.atomic
def document_acknowledge(*, actor: Actor, document: HRDocument) -> tuple[HRDocumentAcknowledgement, bool]:
    """The person behind the credential confirms they read the current version. Once per
    version: acknowledging again returns the first acknowledgement (``created`` false)."""
    employee = employee_for_actor(actor=actor)
    if employee is None:
        raise NotPermitted(_("Only a person with an employee record can acknowledge a document."))
    if not document.is_published or document.current_version_id is None:
        raise Conflict(_("This document is not published yet."))
    if not document.requires_acknowledgement:
        raise Conflict(_("This document does not ask for an acknowledgement."))
    if not employee_in_audience(document=document, employee=employee):
        raise NotPermitted(_("This document is not addressed to you."))
    existing = HRDocumentAcknowledgement.objects.filter(
        version_id=document.current_version_id, employee=employee
    ).first()
    if existing is not None:
        return existing, False
    acknowledgement = HRDocumentAcknowledgement(
        organisation=actor.organisation, document=document, version=document.current_version, employee=employee
    )
    acknowledgement.full_clean()
    try:
        with transaction.atomic():
            acknowledgement.save()
    except IntegrityError:  # a concurrent click got there first
        return HRDocumentAcknowledgement.objects.get(version_id=document.current_version_id, employee=employee), False
    audit_change(
        actor=actor,
        action="hrdocument.acknowledge",
        obj=acknowledgement,
        after=audit_snapshot(acknowledgement, only=("document", "version", "employee")),
    )
    record_event(
        actor.organisation, events.DOCUMENT_ACKNOWLEDGED, events.acknowledgement_payload(acknowledgement), actor=actor
    )
    return acknowledgement, True
