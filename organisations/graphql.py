"""GraphQL for the organisations app: the organisation, offices, workspaces and producers.

Thin (STYLE §2.5): reads go through :mod:`organisations.selectors` (tenancy and role
visibility exactly as on REST), list filters through the FilterSets of
:mod:`organisations.filters`, writes through :mod:`organisations.services`.
Scoping, scopes, errors, connections and ids come from :mod:`trackyoursheets.api.graphql`.

Field names are REST's in camelCase; the differences are deliberate and listed
in `tests/organisations/test_graphql.py` (`INTENTIONAL_DIFFERENCES`).
"""

from __future__ import annotations

import graphene
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from graphene import relay
from graphene_django import DjangoObjectType

from trackyoursheets.api.graphql import (
    CountableConnection,
    Related,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    TenantRelation,
    decode_id,
    require_scope,
    scoped_related,
    scoped_target,
    validation_error,
)

from . import selectors, services
from .filters import OfficeFilterSet, ProducerFilterSet, WorkspaceFilterSet
from .models import Office, Organisation, Producer, Workspace, WorkspaceAgent

ORGANISATION_READ = "organisation.read"

__all__ = [
    "OrganisationType",
    "OfficeType",
    "WorkspaceType",
    "WorkspaceAgentType",
    "ProducerType",
    "WorkspaceCreate",
    "WorkspaceUpdate",
    "ProducerUpsert",
    "Query",
    "Mutation",
]


# =============================================================================
# The organisation
# =============================================================================


class PlanType(graphene.ObjectType):
    """The organisation's plan and the hard limits it sets."""

    class Meta:
        name = "Plan"

    code = graphene.String(required=True, description="starter, growth or scale.")
    name = graphene.String(required=True)
    price_per_seat = graphene.Decimal(required=True, description="Per seat and month, in the organisation's currency.")
    max_seats = graphene.Int(required=True)
    max_workspaces = graphene.Int(required=True, description="Active workspaces.")
    max_agents_per_workspace = graphene.Int(required=True)


class UsageLimitType(graphene.ObjectType):
    """A plan limit with what is in use and what is left."""

    class Meta:
        name = "UsageLimit"

    limit = graphene.Int(required=True)
    used = graphene.Int(required=True)
    available = graphene.Int(required=True)


class PerWorkspaceLimitType(graphene.ObjectType):
    """A limit that applies to each workspace separately."""

    class Meta:
        name = "PerWorkspaceLimit"

    limit = graphene.Int(required=True)


class OrganisationLimitsType(graphene.ObjectType):
    """Seats and active workspaces used against the plan (`selectors.organisation_usage`)."""

    class Meta:
        name = "OrganisationLimits"

    seats = graphene.Field(UsageLimitType, required=True, description="Active members.")
    workspaces = graphene.Field(UsageLimitType, required=True, description="Active workspaces.")
    agents_per_workspace = graphene.Field(PerWorkspaceLimitType, required=True)


class FeatureType(graphene.ObjectType):
    """A feature toggle: the plan's default, switched off (never beyond the plan) by the organisation."""

    class Meta:
        name = "Feature"

    name = graphene.String(required=True)
    enabled = graphene.Boolean(required=True)


class OrganisationType(DjangoObjectType):
    """The caller's organisation: plan, limits with used/available counts, feature toggles.

    Scope `organisation.read`. Only the request's own organisation is ever
    readable, also through `node(id:)`.
    """

    database_id = graphene.Int(required=True, description="The integer id, as REST uses it.")
    plan = graphene.Field(PlanType, required=True)
    limits = graphene.Field(OrganisationLimitsType, required=True)
    features = graphene.List(graphene.NonNull(FeatureType), required=True)

    class Meta:
        model = Organisation
        name = "Organisation"
        interfaces = (relay.Node,)
        fields = (
            "id",
            "database_id",
            "name",
            "slug",
            "plan",
            "limits",
            "features",
            "timezone",
            "currency",
            "api_rate_limit_per_minute",
            "created_at",
            "updated_at",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        actor = info.context.actor
        if not actor.has_scope(ORGANISATION_READ):
            return queryset.none()
        return queryset.filter(pk=actor.organisation.pk)

    @classmethod
    def get_node(cls, info, id):
        pk = decode_id(id, cls._meta.name)
        return cls.get_queryset(Organisation.objects.all(), info).filter(pk=pk).first() if pk else None

    @staticmethod
    def resolve_database_id(organisation, info):
        return organisation.pk

    @staticmethod
    def resolve_plan(organisation, info):
        return organisation.plan_details

    @staticmethod
    def resolve_limits(organisation, info):
        return selectors.organisation_usage(organisation=organisation)

    @staticmethod
    def resolve_features(organisation, info):
        return [{"name": name, "enabled": enabled} for name, enabled in organisation.features.items()]


# =============================================================================
# Structure: offices and workspaces
# =============================================================================


class OfficeType(TenantObjectType):
    """An office of the organisation; its timezone sets day boundaries for its people. Scope `workspaces.read`."""

    read_scope = "workspaces.read"
    list_selector = selectors.office_list

    class Meta:
        model = Office
        name = "Office"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "database_id", "name", "timezone", "address", "created_at", "updated_at")


class WorkspaceAgentType(graphene.ObjectType):
    """A member assigned to a workspace as an agent (REST: an item of a workspace's `agents`)."""

    class Meta:
        name = "WorkspaceAgent"

    membership_id = graphene.Int(required=True)
    user_id = graphene.Int(required=True)
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    role = graphene.String(required=True, description="owner, admin, manager, hr, producer or employee.")

    @staticmethod
    def resolve_membership_id(link, info):
        return link.membership_id

    @staticmethod
    def resolve_user_id(link, info):
        return link.membership.user_id

    @staticmethod
    def resolve_email(link, info):
        return link.membership.user.email

    @staticmethod
    def resolve_full_name(link, info):
        return link.membership.user.full_name

    @staticmethod
    def resolve_role(link, info):
        return link.membership.role


class WorkspaceType(TenantObjectType):
    """A team inside an office (an "agent pod") and its agents. Scope `workspaces.read`.

    Owners, admins and HR see every workspace; managers those of their office;
    producers and employees the workspaces they work in.
    """

    read_scope = "workspaces.read"
    list_selector = selectors.workspace_list
    related_prefetches = (Prefetch("agent_links", queryset=WorkspaceAgent.objects.select_related("membership__user")),)

    status = graphene.String(required=True, description="active or archived.")
    office = TenantRelation(OfficeType, "office", description="The office the workspace belongs to.")
    agents = graphene.List(graphene.NonNull(WorkspaceAgentType), required=True, description="Agents, oldest first.")

    class Meta:
        model = Workspace
        name = "Workspace"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "name",
            "description",
            "status",
            "office",
            "agents",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_agents(workspace, info):
        return workspace.agent_links.all()  # prefetched by the selector, with member and user


# =============================================================================
# Producers
# =============================================================================


class ProducerType(TenantObjectType):
    """A commissionable person (an agent who sells policies), with or without a login. Scope `producers.read`.

    Owners, admins and HR see every producer; managers those in their office's
    workspaces; a producer sees their own record.
    """

    read_scope = "producers.read"
    list_selector = selectors.producer_list

    status = graphene.String(required=True, description="active or inactive.")
    workspace = TenantRelation(WorkspaceType, "workspace", description="The primary workspace.")
    membership_id = graphene.Int(description="The login behind this producer, if any.")
    user_id = graphene.Int(description="The user of that login.")

    class Meta:
        model = Producer
        name = "Producer"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "display_name",
            "email",
            "producer_code",
            "default_split_percent",
            "portal_access",
            "status",
            "workspace",
            "membership_id",
            "user_id",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_membership_id(producer, info):
        return producer.membership_id

    @staticmethod
    def resolve_user_id(producer, info):
        return producer.membership.user_id if producer.membership_id else None


# =============================================================================
# Queries
# =============================================================================


class Query(graphene.ObjectType):
    """Reads of the organisations app."""

    organisation = graphene.Field(
        OrganisationType, required=True, description="The caller's organisation. Scope organisation.read."
    )
    offices = TenantConnectionField(
        OfficeType, filterset_class=OfficeFilterSet, description="Offices, by name. Scope workspaces.read."
    )
    office = TenantObjectField(OfficeType, description="One office; null when not found. Scope workspaces.read.")
    workspaces = TenantConnectionField(
        WorkspaceType, filterset_class=WorkspaceFilterSet, description="Workspaces, by name. Scope workspaces.read."
    )
    workspace = TenantObjectField(
        WorkspaceType, description="One workspace; null when not found. Scope workspaces.read."
    )
    producers = TenantConnectionField(
        ProducerType, filterset_class=ProducerFilterSet, description="Producers, by display name. Scope producers.read."
    )
    producer = TenantObjectField(ProducerType, description="One producer; null when not found. Scope producers.read.")

    @staticmethod
    def resolve_organisation(root, info):
        return require_scope(info, ORGANISATION_READ).organisation


# =============================================================================
# Mutations
# =============================================================================


class WorkspaceInput(graphene.InputObjectType):
    """A new workspace (REST: `POST /v1/workspaces`)."""

    name = graphene.String(required=True)
    office_id = graphene.ID(
        description="Integer id or global id of one of your offices; may be left out when the "
        "organisation has exactly one office."
    )
    description = graphene.String()


class WorkspaceUpdateInput(graphene.InputObjectType):
    """Changes to a workspace (REST: `PATCH /v1/workspaces/{id}`); fields left out stay as they are."""

    id = graphene.ID(required=True, description="Integer id or global id of the workspace.")
    name = graphene.String()
    office_id = graphene.ID(description="Integer id or global id of one of your offices.")
    description = graphene.String()
    status = graphene.String(description="active or archived; re-activating counts against the plan.")


class ProducerInput(graphene.InputObjectType):
    """A producer to create or update (REST: `POST`/`PATCH /v1/producers`).

    With `id`, that producer is updated; else the one with `producerCode`;
    else a producer is created (`displayName` required). Fields left out stay as
    they are; `workspaceId: null` / `membershipId: null` unlink.
    """

    id = graphene.ID(description="Integer id or global id of the producer to update.")
    display_name = graphene.String()
    email = graphene.String()
    producer_code = graphene.String(description="The carrier-facing code; unique in the organisation.")
    default_split_percent = graphene.Decimal(description='0-100, e.g. "62.50".')
    portal_access = graphene.Boolean()
    status = graphene.String(description="active or inactive.")
    workspace_id = graphene.ID(description="Integer id or global id of the primary workspace.")
    membership_id = graphene.ID(description="Integer id of the member who logs in as this producer.")


class WorkspaceCreate(TenantMutation):
    """Create a workspace in one of your offices (scope `workspaces.write`).

    Refused with a 422 `plan-limit` problem when the plan's active workspaces are
    all in use; managers may create only in their own office.
    """

    required_scope = "workspaces.write"
    error_field_names = {"office": "officeId"}

    class Arguments:
        input = WorkspaceInput(required=True)

    # the contract: createWorkspace(input: WorkspaceInput!): Workspace!
    Output = graphene.NonNull(WorkspaceType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        related = scoped_related(actor, {"officeId": Related(input.get("office_id"), "Office", selectors.office_list)})
        workspace = services.workspace_create(
            actor=actor, office=related.get("officeId"), name=input.name, description=input.description or ""
        )
        return selectors.workspace_get(actor=actor, pk=workspace.pk)


class WorkspaceUpdate(TenantMutation):
    """Rename, describe, move, archive or re-activate a workspace (scope `workspaces.write`)."""

    required_scope = "workspaces.write"
    error_field_names = {"office": "officeId"}

    class Arguments:
        input = WorkspaceUpdateInput(required=True)

    Output = graphene.NonNull(WorkspaceType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        workspace = scoped_target(actor, input.id, "Workspace", selectors.workspace_list)
        related = scoped_related(actor, {"officeId": Related(input.office_id, "Office", selectors.office_list)})
        fields = {name: input[name] for name in ("name", "description", "status") if input.get(name) is not None}
        if "officeId" in related:
            fields["office"] = related["officeId"]
        services.workspace_update(actor=actor, workspace=workspace, data=fields)
        return selectors.workspace_get(actor=actor, pk=workspace.pk)


class ProducerUpsert(TenantMutation):
    """Create or update a producer by `id` or `producerCode` (scope `producers.write`).

    Managers may manage producers only in their office's workspaces.
    """

    required_scope = "producers.write"
    error_field_names = {"workspace": "workspaceId", "membership": "membershipId"}
    SCALAR_FIELDS = ("display_name", "email", "producer_code", "default_split_percent", "portal_access", "status")

    class Arguments:
        input = ProducerInput(required=True)

    # the contract: upsertProducer(input: ProducerInput!): Producer!
    Output = graphene.NonNull(ProducerType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        producer = None
        if input.get("id") is not None:
            producer = scoped_target(actor, input.id, "Producer", selectors.producer_list)
        related = scoped_related(
            actor,
            {
                "workspaceId": Related(input.get("workspace_id"), "Workspace", selectors.workspace_list),
                "membershipId": Related(input.get("membership_id"), "Membership", selectors.membership_list),
            },
        )
        fields = {name: input[name] for name in cls.SCALAR_FIELDS if input.get(name) is not None}
        # an explicit null unlinks; a field left out is left alone
        if "workspace_id" in input:
            fields["workspace"] = related.get("workspaceId")
        if "membership_id" in input:
            fields["membership"] = related.get("membershipId")
        # `producer_upsert` finds the producer by code itself; finding it here first (through the
        # actor's scoped selector) tells whether this is a create, which needs a display name
        code = (fields.get("producer_code") or "").strip()
        if producer is None and code:
            producer = selectors.producer_list(actor=actor).filter(producer_code=code).first()
        if producer is None and not fields.get("display_name"):
            raise validation_error({"display_name": [_("This field is required to create a producer.")]})
        producer, _created = services.producer_upsert(actor=actor, producer=producer, **fields)
        return selectors.producer_get(actor=actor, pk=producer.pk)


class Mutation(graphene.ObjectType):
    """Writes of the organisations app."""

    create_workspace = WorkspaceCreate.Field()
    update_workspace = WorkspaceUpdate.Field()
    upsert_producer = ProducerUpsert.Field()
