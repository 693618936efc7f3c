"""GraphQL of HR tickets: the ticket type (reporter null when anonymous, notes only for
handlers) and the assign mutation."""

from __future__ import annotations

import graphene
from graphene import relay

from organisations import selectors as organisation_selectors
from trackyoursheets.api.graphql import (
    CountableConnection,
    DateTime,
    Related,
    TenantMutation,
    TenantObjectType,
    scoped_related,
    scoped_target,
)

from .. import selectors, services
from ..models import Complaint
from .scopes import READ, WRITE


class HRComplaintNoteType(graphene.ObjectType):
    class Meta:
        name = "HRComplaintNote"

    database_id = graphene.Int(required=True)
    author = graphene.String(required=True)
    body = graphene.String(required=True)
    created_at = DateTime(required=True)

    @staticmethod
    def resolve_database_id(note, info):
        return note.pk

    @staticmethod
    def resolve_author(note, info):
        return note.author_label


class HRPersonType(graphene.ObjectType):
    class Meta:
        name = "HRPerson"

    membership_id = graphene.Int(required=True)
    name = graphene.String(required=True)
    email = graphene.String(required=True)


def _person(membership):
    if membership is None:
        return None
    return HRPersonType(membership_id=membership.pk, name=membership.user.get_full_name(), email=membership.user.email)


class HRComplaintType(TenantObjectType):
    """A confidential HR ticket. Scope `hr.read`. Only its reporter, HR (unless it is about them)
    and its assignee see it; `reporter` is null when anonymous; `notes` only for HR and the assignee."""

    read_scope = READ
    list_selector = selectors.complaint_list

    reference = graphene.String(required=True)
    category = graphene.String(required=True)
    priority = graphene.String(required=True, description="low, normal, high or urgent.")
    status = graphene.String(required=True, description="open, in_progress, waiting, resolved or closed.")
    anonymous = graphene.Boolean(required=True)
    reporter = graphene.Field(HRPersonType, description="Null for an anonymous ticket.")
    assignee = graphene.Field(HRPersonType)
    about_employee_id = graphene.Int()
    notes = graphene.List(
        graphene.NonNull(HRComplaintNoteType), required=True, description="Internal notes; empty unless you handle it."
    )

    class Meta:
        model = Complaint
        name = "HRComplaint"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "reference",
            "subject",
            "category",
            "priority",
            "status",
            "description",
            "anonymous",
            "reporter",
            "about_employee_id",
            "assignee",
            "resolution",
            "resolved_at",
            "closed_at",
            "notes",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_reference(complaint, info):
        return complaint.reference

    @staticmethod
    def resolve_category(complaint, info):
        return complaint.category

    @staticmethod
    def resolve_priority(complaint, info):
        return complaint.priority

    @staticmethod
    def resolve_status(complaint, info):
        return complaint.status

    @staticmethod
    def resolve_anonymous(complaint, info):
        return complaint.is_anonymous

    @staticmethod
    def resolve_reporter(complaint, info):
        return None if complaint.is_anonymous else _person(complaint.reporter)

    @staticmethod
    def resolve_assignee(complaint, info):
        return _person(complaint.assignee)

    @staticmethod
    def resolve_about_employee_id(complaint, info):
        return complaint.about_employee_id

    @staticmethod
    def resolve_notes(complaint, info):
        if not selectors.complaint_can_handle(actor=info.context.actor, complaint=complaint):
            return []
        return complaint.notes.all()


class AssignHRComplaintInput(graphene.InputObjectType):
    complaint_id = graphene.ID(required=True, description="Integer id or global id of the ticket.")
    assignee_id = graphene.ID(required=True, description="Membership id of an active HR member.")


class AssignHRComplaint(TenantMutation):
    """Assign a ticket to an HR member, never the person it is about (scope `hr.write`;
    REST: `POST /v1/hr/complaints/{id}/assign`)."""

    required_scope = WRITE
    error_field_names = {"assignee_id": "assigneeId"}

    class Arguments:
        input = AssignHRComplaintInput(required=True)

    Output = graphene.NonNull(HRComplaintType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        complaint = scoped_target(actor, input.complaint_id, "HRComplaint", selectors.complaint_list)
        related = scoped_related(
            actor, {"assignee_id": Related(input.assignee_id, "Member", organisation_selectors.membership_list)}
        )
        services.complaint_assign(actor=actor, complaint=complaint, assignee=related["assignee_id"])
        return selectors.complaint_get(actor=actor, pk=complaint.pk)
