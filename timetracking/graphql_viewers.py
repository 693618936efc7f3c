"""GraphQL of project viewers (issue 15 point 4): ``projectViewers(filter, first, after)`` and
``projectViewer(id:)``, read through the same selector as ``GET /v1/project-viewers`` (owners,
admins and managers; nobody else sees a grant)."""

from __future__ import annotations

import graphene
from graphene import relay

from trackyoursheets.api.graphql import CountableConnection, TenantConnectionField, TenantObjectField, TenantObjectType

from . import selectors
from .filters import ProjectViewerFilterSet
from .graphql import READ
from .models import ProjectViewer

__all__ = ["ProjectViewerType", "Query"]


class ProjectViewerType(TenantObjectType):
    """One project given to one project viewer (a client contact). Scope `time.read`."""

    read_scope = READ
    list_selector = selectors.project_viewer_list

    project_id = graphene.Int(required=True)
    membership_id = graphene.Int(required=True)
    user_id = graphene.Int(required=True)
    email = graphene.String(required=True)
    status = graphene.String(required=True, description="The viewer's membership: invited, active or deactivated.")

    class Meta:
        model = ProjectViewer
        name = "ProjectViewer"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "database_id", "can_see_amounts", "created_at", "updated_at")

    @staticmethod
    def resolve_project_id(grant, info):
        return grant.project_id

    @staticmethod
    def resolve_membership_id(grant, info):
        return grant.membership_id

    @staticmethod
    def resolve_user_id(grant, info):
        return grant.membership.user_id

    @staticmethod
    def resolve_email(grant, info):
        return grant.membership.user.email

    @staticmethod
    def resolve_status(grant, info):
        return grant.membership.status


class Query(graphene.ObjectType):
    project_viewers = TenantConnectionField(
        ProjectViewerType, filterset_class=ProjectViewerFilterSet, description="Project viewers, by project."
    )
    project_viewer = TenantObjectField(
        ProjectViewerType, description="One project viewer's grant; null when not found."
    )
