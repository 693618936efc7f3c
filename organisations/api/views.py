"""REST endpoints of the organisations app: thin, declarative, services do the work."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.authentication import access_token_of

from .. import selectors, services
from ..audit import audit_event_list
from ..filters import (
    ApiTokenFilterSet,
    AuditEventFilterSet,
    IntegrationGrantFilterSet,
    MembershipFilterSet,
    OfficeFilterSet,
    ProducerFilterSet,
    WorkspaceFilterSet,
)
from ..models import ImpersonationToken
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenInputSerializer,
    ApiTokenSerializer,
    AuditEventSerializer,
    ImpersonationInputSerializer,
    ImpersonationSerializer,
    IntegrationGrantInputSerializer,
    IntegrationGrantSerializer,
    MemberInviteSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    OfficeSerializer,
    OrganisationSerializer,
    ProducerInputSerializer,
    ProducerSerializer,
    WorkspaceAgentsInputSerializer,
    WorkspaceInputSerializer,
    WorkspaceSerializer,
)


class OrganisationCurrentView(APIView):
    """The caller's organisation: plan, limits with used/available counts, feature toggles."""

    required_scope = "organisation.read"

    @extend_schema(responses=OrganisationSerializer, operation_id="organisations_current")
    def get(self, request):
        organisation = request.auth.organisation
        usage = selectors.organisation_usage(organisation=organisation)
        return Response(OrganisationSerializer(organisation, context={"usage": usage}).data)


@extend_schema_view(
    list=extend_schema(summary="List offices"),
    create=extend_schema(summary="Create an office", request=OfficeSerializer),
    retrieve=extend_schema(summary="Get an office"),
    partial_update=extend_schema(summary="Update an office", request=OfficeSerializer),
)
class OfficeViewSet(base.TenantModelViewSet):
    scope_area = "workspaces"
    list_selector = selectors.office_list
    serializer_class = OfficeSerializer
    filterset_class = OfficeFilterSet

    def perform_create(self, serializer):
        return services.office_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.office_update(actor=self.actor, office=instance, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List workspaces"),
    create=extend_schema(summary="Create a workspace", request=WorkspaceInputSerializer),
    retrieve=extend_schema(summary="Get a workspace with its agents"),
    partial_update=extend_schema(summary="Update a workspace", request=WorkspaceInputSerializer),
    destroy=extend_schema(summary="Archive a workspace (workspaces are never hard-deleted)"),
)
class WorkspaceViewSet(base.TenantModelViewSet):
    scope_area = "workspaces"
    list_selector = selectors.workspace_list
    serializer_class = WorkspaceSerializer
    input_serializer_class = WorkspaceInputSerializer
    filterset_class = WorkspaceFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("status", None)
        return services.workspace_create(actor=self.actor, **data)

    def perform_update(self, instance, serializer):
        services.workspace_update(actor=self.actor, workspace=instance, data=serializer.validated_data)
        return selectors.workspace_get(actor=self.actor, pk=instance.pk)

    def perform_destroy(self, instance):
        services.workspace_archive(actor=self.actor, workspace=instance)

    @extend_schema(
        summary="Assign members as agents of the workspace",
        request=WorkspaceAgentsInputSerializer,
        responses=WorkspaceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="agents")
    def agents(self, request, pk=None):
        workspace = self.get_object()
        serializer = WorkspaceAgentsInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.workspace_assign_agents(
            actor=self.actor, workspace=workspace, memberships=serializer.validated_data["membership_ids"]
        )
        return self.output(selectors.workspace_get(actor=self.actor, pk=workspace.pk))


@extend_schema_view(
    list=extend_schema(summary="List producers"),
    create=extend_schema(summary="Create a producer", request=ProducerInputSerializer),
    retrieve=extend_schema(summary="Get a producer"),
    partial_update=extend_schema(
        summary="Update a producer (display name, portal access, split, status, ...)", request=ProducerInputSerializer
    ),
)
class ProducerViewSet(base.TenantModelViewSet):
    scope_area = "producers"
    list_selector = selectors.producer_list
    serializer_class = ProducerSerializer
    input_serializer_class = ProducerInputSerializer
    filterset_class = ProducerFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        return services.producer_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        services.producer_update(actor=self.actor, producer=instance, data=serializer.validated_data)
        return selectors.producer_get(actor=self.actor, pk=instance.pk)


# =============================================================================
# Credentials (issue 3)
# =============================================================================

#: response fields that carry a secret shown once; a stored idempotent replay must not keep them
SECRET_FIELDS_ATTRIBUTE = "secret_fields"

_PEOPLE_NEED_NO_SCOPE = (
    "People (a browser session or a personal API token) need no scope here; an OAuth client acts for "
    "the whole organisation and needs `integrations.read` to list and `integrations.write` to revoke. "
    "Impersonation tokens are refused."
)


@extend_schema_view(
    list=extend_schema(
        summary="List personal API tokens (masked)",
        description="Your own tokens; owners and admins see every token of the organisation. "
        "The secret is never shown, only its first characters (`prefix`).\n\n" + _PEOPLE_NEED_NO_SCOPE,
    ),
    retrieve=extend_schema(summary="Get a personal API token (masked)", description=_PEOPLE_NEED_NO_SCOPE),
    create=extend_schema(
        summary="Create a personal API token (the token is shown once)",
        description="Only people may create tokens: a session may grant any scope, a personal token only "
        "scopes it holds and never beyond its own expiry. OAuth clients and impersonations get a 403.",
        request=ApiTokenInputSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke a personal API token",
        description="Sets `revoked_at`; the token stops working at once.\n\n" + _PEOPLE_NEED_NO_SCOPE,
    ),
)
class ApiTokenViewSet(base.TenantModelViewSet):
    """``/v1/api-tokens``: personal tokens for scripts (issue 3 point 4)."""

    #: what an OAuth client needs (read to list, write to revoke); people are exempt, see action_scopes
    scope_area = "integrations"
    list_selector = selectors.api_token_list
    serializer_class = ApiTokenSerializer
    input_serializer_class = ApiTokenInputSerializer
    filterset_class = ApiTokenFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]

    @property
    def action_scopes(self) -> dict:
        """People manage their own personal tokens without any scope (checked by HasRequiredScope);
        creating needs no scope either, because only people may create (the service refuses others)."""
        people_only = {"create": None}
        if getattr(self, "swagger_fake_view", False) or getattr(self, "request", None) is None:
            return people_only
        actor = self.request.auth
        if actor is not None and actor.kind in services.PERSON_KINDS:
            return dict.fromkeys(("list", "retrieve", "create", "destroy"))
        return people_only

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.auth.kind == "impersonation":
            raise exceptions.PermissionDenied("An impersonation token cannot manage API tokens.")

    def create(self, request, *args, **kwargs):
        services.api_token_require_creator(actor=self.actor)  # a 403 before any validation
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.api_token_create(actor=self.actor, **serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{created.api_token.pk}")
        response = self.output(created.api_token, status_code=status.HTTP_201_CREATED, headers={"Location": location})
        response.data = {**response.data, "token": created.token}  # a copy: the audit trail never sees it
        setattr(response, SECRET_FIELDS_ATTRIBUTE, ("token",))
        return response

    def perform_destroy(self, instance):
        services.api_token_revoke(actor=self.actor, api_token=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List the integration clients granted this organisation",
        description="Clients of other organisations (multi-tenant integrations) that may act here, selected "
        "with `x-trackyoursheets-organisation`. Owners and admins (or this organisation's own OAuth clients "
        "with `integrations.read`).",
    ),
    retrieve=extend_schema(summary="Get an integration grant"),
    create=extend_schema(
        summary="Grant an integration client this organisation",
        description="By `client_id` (the vendor gives it to you). Owner and admin people only (a session, or "
        "their personal token with `integrations.write`); OAuth clients get a 403 problem. Granting twice "
        "answers the existing grant.",
        request=IntegrationGrantInputSerializer,
        responses={201: IntegrationGrantSerializer},
    ),
    destroy=extend_schema(
        summary="Withdraw an integration client's access",
        description="Its tokens stop working in this organisation at once. Owner and admin people only.",
    ),
)
class IntegrationGrantViewSet(base.TenantModelViewSet):
    """``/v1/integration-grants`` (issue 13 point 12): owners and admins grant clients their organisation."""

    scope_area = "integrations"
    list_selector = selectors.oauth_grant_list
    serializer_class = IntegrationGrantSerializer
    filterset_class = IntegrationGrantFilterSet
    input_serializer_class = IntegrationGrantInputSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        services.oauth_grant_require_manager(actor=self.actor)  # a 403 before any validation
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = services.oauth_grant_create(actor=self.actor, **serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{grant.pk}")
        return self.output(grant, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def perform_destroy(self, instance):
        services.oauth_grant_withdraw(actor=self.actor, grant=instance)


@extend_schema_view(
    create=extend_schema(
        summary="Create an impersonation token (act as a producer)",
        description="For OAuth client credentials only (not personal tokens, sessions or impersonations). "
        "The token acts as the producer, sees only what they see, carries the parent token's read scopes, "
        "lives `ttl_seconds` (60-900) but never past the parent access token, and dies when the parent "
        "is revoked. Every request made with it is attributed to both the client and the producer.",
        request=ImpersonationInputSerializer,
        responses={201: ImpersonationSerializer},
    ),
)
class ImpersonationViewSet(base.TenantViewSet):
    """``POST /v1/impersonations`` (issue 3 point 3): create-only; the token is shown once."""

    required_scope = "impersonation"
    serializer_class = ImpersonationSerializer
    input_serializer_class = ImpersonationInputSerializer
    http_method_names = ["post", "options"]

    def get_queryset(self):  # create-only: nothing is listed or looked up by id here
        return ImpersonationToken.objects.none()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.impersonation_create(
            actor=self.actor, parent_token=access_token_of(request), **serializer.validated_data
        )
        impersonation = created.impersonation
        data = ImpersonationSerializer(
            {
                "access_token": created.token,
                "token_type": "Bearer",
                "expires_in": created.expires_in,
                "expires_at": impersonation.expires_at,
                "producer_id": impersonation.producer_id,
                "scope": impersonation.scopes,
            }
        ).data
        response = Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
        setattr(response, SECRET_FIELDS_ATTRIBUTE, ("access_token",))
        return response


@extend_schema_view(
    list=extend_schema(
        summary="The audit trail: who changed what, newest first",
        description="Every mutating REST call, GraphQL mutation, admin change and page form. Owners and admins "
        "(or an OAuth client with `organisation.read`); filter by actor, object, request id and date.",
    ),
    retrieve=extend_schema(summary="One audit event"),
)
class AuditEventViewSet(base.ListModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    """``/v1/audit-events`` (issue 3 point 8): read-only."""

    required_scope = "organisation.read"
    list_selector = audit_event_list
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    http_method_names = ["get", "head", "options"]

    def check_permissions(self, request):
        super().check_permissions(request)
        actor = request.auth
        if not actor.sees_whole_organisation or actor.kind == "impersonation":
            raise exceptions.PermissionDenied("Only owners and admins can read the audit trail.")


# =============================================================================
# Members (issue 4)
# =============================================================================

_MEMBER_WRITES = (
    "Writes need an owner or admin person (a browser session or their personal API token, which must hold "
    "`organisation.read`); OAuth clients and impersonation tokens may read members but get a 403 problem "
    "for every change. Only owners make or change owners and admins; nobody grants a role above their own; "
    "the last owner cannot be demoted or deactivated."
)


@extend_schema_view(
    list=extend_schema(
        summary="List members",
        description="Owners, admins and HR see every member; managers the members of their office; "
        "everyone else only themselves. Filters: `role`, `status`, `office_id`, `user_id`, `email`, "
        "`created_after`, `updated_after`.",
    ),
    retrieve=extend_schema(summary="Get a member"),
    create=extend_schema(
        summary="Invite a member by email",
        description="Creates a member with status `invited` (taking a seat: active and invited members count "
        "against the plan's seat limit, a 422 `plan-limit` problem when full) and emails them a link, valid "
        "for 7 days, to choose their password. The invitation token is never returned.\n\n" + _MEMBER_WRITES,
        request=MemberInviteSerializer,
        responses={201: MemberSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a member's role, office or status",
        description="`status` may be `deactivated` (never deleted: no more logins or API access for them, "
        "their personal tokens stop working) or `active` (re-activate, within the seat limit; a member who "
        "never accepted is invited again).\n\n" + _MEMBER_WRITES,
        request=MemberUpdateSerializer,
    ),
)
class MemberViewSet(base.TenantModelViewSet):
    """``/v1/members``: read with ``organisation.read``; writes by owner/admin people only (issue 4)."""

    required_scope = "organisation.read"
    list_selector = selectors.membership_list
    serializer_class = MemberSerializer
    input_serializer_class = MemberInviteSerializer
    update_serializer_class = MemberUpdateSerializer
    filterset_class = MembershipFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("invitation")

    def create(self, request, *args, **kwargs):
        services.member_require_manager(actor=self.actor)  # a 403 before any validation
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        invited = services.member_invite(
            actor=self.actor, base_url=self.request.build_absolute_uri("/"), **serializer.validated_data
        )
        return self.get_queryset().get(pk=invited.membership.pk)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()  # another tenant's member is a 404 before anything else
        services.member_require_manager(actor=self.actor)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.output(self.perform_update(instance, serializer))

    def perform_update(self, instance, serializer):
        services.member_update(
            actor=self.actor,
            membership=instance,
            base_url=self.request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return self.get_queryset().get(pk=instance.pk)
