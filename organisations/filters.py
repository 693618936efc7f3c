"""FilterSets of the organisations app, shared by REST, GraphQL and pages."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trackyoursheets.api.filters import BaseFilterSet

from .choices import MembershipStatus, ProducerStatus, Role, WorkspaceStatus
from .models import (
    ApiToken,
    AuditEvent,
    Membership,
    OAuthApplicationGrant,
    Office,
    Producer,
    Workspace,
    WorkspaceAgent,
)


class OfficeFilterSet(BaseFilterSet):
    office_id = django_filters.NumberFilter(field_name="id", label="This office")
    workspace_id = django_filters.NumberFilter(field_name="workspaces__id", label="The office of this workspace")
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label="Has a member with this role")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Office
        fields = ["name"]

    def filter_role(self, queryset, name, value):
        members = Membership.objects.filter(office_id=OuterRef("pk"), role=value)
        return queryset.filter(Exists(members))


class WorkspaceFilterSet(BaseFilterSet):
    workspace_id = django_filters.NumberFilter(field_name="id", label="This workspace")
    office_id = django_filters.NumberFilter(field_name="office_id")
    status = django_filters.ChoiceFilter(choices=WorkspaceStatus.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label="Has an agent with this role")

    class Meta:
        model = Workspace
        fields = ["office_id", "status", "name"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(agent_links__membership__role=value).distinct()


class ProducerFilterSet(BaseFilterSet):
    workspace_id = django_filters.NumberFilter(field_name="workspace_id")
    office_id = django_filters.NumberFilter(field_name="workspace__office_id")
    status = django_filters.ChoiceFilter(choices=ProducerStatus.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="membership__role")
    portal_access = django_filters.BooleanFilter()
    producer_code = django_filters.CharFilter()
    search = django_filters.CharFilter(method="filter_search", label="Name, email or producer code contains")

    class Meta:
        model = Producer
        fields = ["workspace_id", "office_id", "status", "role", "portal_access", "producer_code"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value) | Q(email__icontains=value) | Q(producer_code__icontains=value)
        )


class ApiTokenFilterSet(BaseFilterSet):
    """Personal API tokens: by member, name, and state (active, expired, revoked)."""

    STATUS_CHOICES = (("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked"))

    membership_id = django_filters.NumberFilter(field_name="membership_id")
    office_id = django_filters.NumberFilter(field_name="membership__office_id", label="The member's office")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The member is an agent of this workspace"
    )
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="membership__role", label="The member's role")
    name = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")

    class Meta:
        model = ApiToken
        fields = ["membership_id", "name", "status"]

    def filter_workspace(self, queryset, name, value):
        links = WorkspaceAgent.objects.filter(membership_id=OuterRef("membership_id"), workspace_id=value)
        return queryset.filter(Exists(links))

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


class AuditEventFilterSet(BaseFilterSet):
    """Filters of ``GET /v1/audit-events``: by actor, object, request id and date."""

    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="Actor contains")
    actor_user_id = django_filters.NumberFilter(field_name="actor_user_id")
    client_id = django_filters.CharFilter(field_name="application__client_id")
    object_type = django_filters.CharFilter(lookup_expr="iexact")
    object_id = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    source = django_filters.ChoiceFilter(choices=AuditEvent.Source.choices)
    method = django_filters.CharFilter(lookup_expr="iexact")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor_user_id", "object_type", "object_id", "request_id", "source", "method"]


# =============================================================================
# Members (issue 4): /v1/members and the team page
# =============================================================================


class MembershipFilterSet(BaseFilterSet):
    """Members by role, status, office and user; plus ``created_after``/``updated_after``."""

    role = django_filters.ChoiceFilter(choices=Role.choices)
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices)
    office_id = django_filters.NumberFilter(field_name="office_id")
    workspace_id = django_filters.NumberFilter(method="filter_workspace", label="Agent of this workspace")
    user_id = django_filters.NumberFilter(field_name="user_id")
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")

    class Meta:
        model = Membership
        fields = ["role", "status", "office_id", "user_id", "email"]

    def filter_workspace(self, queryset, name, value):
        links = WorkspaceAgent.objects.filter(membership_id=OuterRef("pk"), workspace_id=value)
        return queryset.filter(Exists(links))


class IntegrationGrantFilterSet(BaseFilterSet):
    """``GET /v1/integration-grants``: by client and grant date (a grant is never updated: no ``updated_after``)."""

    updated_after = None
    client_id = django_filters.CharFilter(field_name="application__client_id", label="The client's ID")

    class Meta:
        model = OAuthApplicationGrant
        fields = ["client_id"]
