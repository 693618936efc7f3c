"""REST shapes of the organisations app."""

from rest_framework import serializers

from trackyoursheets.api.fields import ScopedPrimaryKeyRelatedField
from trackyoursheets.api.scopes import SCOPES

from .. import selectors
from ..choices import MembershipStatus, Role, WorkspaceStatus
from ..models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    OAuthApplicationGrant,
    Office,
    Organisation,
    Producer,
    Workspace,
    WorkspaceAgent,
)
from ..models.platform import IP_ALLOWLIST_MAX
from ..services import IMPERSONATION_TTL_MAX, IMPERSONATION_TTL_MIN


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    available = serializers.IntegerField()


class PlanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price_per_seat = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_seats = serializers.IntegerField()
    max_workspaces = serializers.IntegerField()
    max_agents_per_workspace = serializers.IntegerField()


class OrganisationSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField()
    limits = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
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
        ]

    def get_plan(self, obj) -> PlanSerializer:
        return PlanSerializer(obj.plan_details).data

    def get_limits(self, obj) -> dict:
        usage = self.context["usage"]
        return {
            "seats": usage["seats"],
            "workspaces": usage["workspaces"],
            "agents_per_workspace": usage["agents_per_workspace"],
        }

    def get_features(self, obj) -> dict[str, bool]:
        return obj.features


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "name", "timezone", "address", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class AgentSerializer(serializers.ModelSerializer):
    membership_id = serializers.IntegerField(source="membership.pk", read_only=True)
    user_id = serializers.IntegerField(source="membership.user_id", read_only=True)
    email = serializers.EmailField(source="membership.user.email", read_only=True)
    full_name = serializers.CharField(source="membership.user.full_name", read_only=True)
    role = serializers.CharField(source="membership.role", read_only=True)

    class Meta:
        model = WorkspaceAgent
        fields = ["membership_id", "user_id", "email", "full_name", "role"]


class WorkspaceSerializer(serializers.ModelSerializer):
    office_id = serializers.IntegerField(read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    agents = AgentSerializer(source="agent_links", many=True, read_only=True)

    class Meta:
        model = Workspace
        fields = [
            "id",
            "name",
            "description",
            "status",
            "office_id",
            "office_name",
            "agents",
            "created_at",
            "updated_at",
        ]


class WorkspaceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    office_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.office_list,
        source="office",
        required=False,
        help_text="Required on create unless the organisation has exactly one office (then that one).",
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=WorkspaceStatus.choices, required=False)


class WorkspaceAgentsInputSerializer(serializers.Serializer):
    membership_ids = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(selector=selectors.membership_list),
        allow_empty=False,
        max_length=100,
        help_text="Members to assign as agents of the workspace.",
    )


class ProducerSerializer(serializers.ModelSerializer):
    workspace_id = serializers.IntegerField(read_only=True, allow_null=True)
    membership_id = serializers.IntegerField(read_only=True, allow_null=True)
    user_id = serializers.IntegerField(source="membership.user_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Producer
        fields = [
            "id",
            "display_name",
            "email",
            "producer_code",
            "default_split_percent",
            "portal_access",
            "status",
            "workspace_id",
            "membership_id",
            "user_id",
            "created_at",
            "updated_at",
        ]


class ProducerInputSerializer(serializers.ModelSerializer):
    workspace_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.workspace_list, source="workspace", required=False, allow_null=True
    )
    membership_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.membership_list, source="membership", required=False, allow_null=True
    )

    class Meta:
        model = Producer
        fields = [
            "display_name",
            "email",
            "producer_code",
            "default_split_percent",
            "portal_access",
            "status",
            "workspace_id",
            "membership_id",
        ]
        # uniqueness is checked by the service (full_clean), scoped to the organisation
        validators = []


# =============================================================================
# Credentials (issue 3)
# =============================================================================


class ApiTokenSerializer(serializers.ModelSerializer):
    """A personal API token as listed: never its secret, only its first characters (``prefix``)."""

    scopes = serializers.SerializerMethodField()
    membership_id = serializers.IntegerField(read_only=True)
    allowed_ips = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="IPv4/IPv6 addresses and CIDR ranges it may be used from; [] is anywhere.",
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "created_at",
            "membership_id",
            "allowed_ips",
        ]

    def get_scopes(self, obj) -> list[str]:
        return sorted(obj.scope_set)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The answer to ``POST /v1/api-tokens``: the token itself appears here once and never again."""

    token = serializers.CharField(read_only=True, help_text="tys_ + 32 characters; shown only in this response.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(SCOPES)),
        allow_empty=False,
        max_length=len(SCOPES),
        help_text="A session may grant any scope; a personal token only scopes it holds.",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Optional; must be in the future."
    )
    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        default=list,
        max_length=IP_ALLOWLIST_MAX,
        help_text="Optional: exact IPv4/IPv6 addresses and CIDR ranges (e.g. 203.0.113.7, 198.51.100.0/24, "
        "2001:db8::/32) the token may be used from; a request from elsewhere is a 401. Empty: anywhere.",
    )


class ImpersonationInputSerializer(serializers.Serializer):
    producer_id = ScopedPrimaryKeyRelatedField(selector=selectors.producer_list, source="producer")
    ttl_seconds = serializers.IntegerField(
        min_value=IMPERSONATION_TTL_MIN,
        max_value=IMPERSONATION_TTL_MAX,
        default=IMPERSONATION_TTL_MAX,
        help_text="Lifetime in seconds (60-900, default 900); never beyond the parent access token.",
    )


class ImpersonationSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="tys_imp_ + 32 characters; shown only in this response.")
    token_type = serializers.CharField(help_text="Always Bearer.")
    expires_in = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    producer_id = serializers.IntegerField()
    scope = serializers.CharField(help_text="Space-separated: the parent token's read scopes.")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    actor_user_id = serializers.IntegerField(allow_null=True)
    client_id = serializers.CharField(source="application.client_id", allow_null=True, default=None)
    api_token_prefix = serializers.CharField(source="api_token.prefix", allow_null=True, default=None)
    impersonated_producer_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "source",
            "actor",
            "actor_user_id",
            "client_id",
            "api_token_prefix",
            "impersonated_producer_id",
            "request_id",
            "method",
            "path",
            "action",
            "object_type",
            "object_id",
            "changes",
            "status_code",
        ]
        read_only_fields = fields


# =============================================================================
# Members (issue 4)
# =============================================================================


class MemberInvitationSerializer(serializers.ModelSerializer):
    """The invitation of a member who was invited (never its token)."""

    state = serializers.SerializerMethodField(help_text="open, expired, accepted or revoked.")

    class Meta:
        model = Invitation
        fields = ["state", "expires_at", "accepted_at", "revoked_at"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        if obj.accepted_at is not None:
            return "accepted"
        if obj.revoked_at is not None:
            return "revoked"
        return "open" if obj.is_open else "expired"


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    office_id = serializers.IntegerField(read_only=True, allow_null=True)
    invitation = MemberInvitationSerializer(read_only=True, allow_null=True)
    timezone = serializers.CharField(
        source="zone_name",
        read_only=True,
        help_text="The member's effective IANA zone: their own choice, else their office's, else the "
        "organisation's (read-only here; members set their own on their profile page).",
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "user_id",
            "email",
            "full_name",
            "role",
            "office_id",
            "timezone",
            "status",
            "invitation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.EMPLOYEE)
    office_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.office_list,
        source="office",
        required=False,
        allow_null=True,
        default=None,
        help_text="Required for managers (they see the people of their office).",
    )


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    office_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.office_list, source="office", required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=[MembershipStatus.ACTIVE, MembershipStatus.DEACTIVATED],
        required=False,
        help_text="deactivated (never deleted) or active again (within the seat limit).",
    )


class IntegrationGrantSerializer(serializers.ModelSerializer):
    """A client of another organisation allowed to act in this one (issue 13 point 12)."""

    client_id = serializers.CharField(source="application.client_id", read_only=True)
    client_name = serializers.CharField(source="application.name", read_only=True)
    client_organisation = serializers.CharField(source="application.organisation.name", read_only=True)
    client_scopes = serializers.SerializerMethodField()
    granted_by = serializers.EmailField(source="granted_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = OAuthApplicationGrant
        fields = ["id", "client_id", "client_name", "client_organisation", "client_scopes", "granted_by", "created_at"]

    def get_client_scopes(self, obj) -> list[str]:
        return sorted(obj.application.scope_set)


class IntegrationGrantInputSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=100, help_text="The client ID the integration's vendor gave you.")
