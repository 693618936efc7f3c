"""``GET /v1/me``: who the credential is (issue 13 point 8, TimeTracker's ``/api/v1/me``)."""

from __future__ import annotations

from rest_framework import serializers


class MeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class MeEmployeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    office_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    termination_date = serializers.DateField(allow_null=True)


class MeOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    timezone = serializers.CharField()


class MeApplicationSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """Built from an :class:`organisations.actors.Actor` and its employee record (if any)."""

    credential = serializers.ChoiceField(
        choices=["oauth", "token", "impersonation", "session"],
        help_text="How the caller authenticated: an OAuth client, a personal API token, an "
        "impersonation token or a browser session.",
    )
    user = MeUserSerializer(allow_null=True, help_text="The person behind the credential; null for an OAuth client.")
    employee = MeEmployeeSerializer(allow_null=True, help_text="Their HR employee record, if they have one.")
    organisation = MeOrganisationSerializer()
    role = serializers.CharField(allow_null=True, help_text="The member's role; null for an OAuth client.")
    roles = serializers.ListField(child=serializers.CharField(), help_text="Every role the caller acts with.")
    scopes = serializers.ListField(child=serializers.CharField(), help_text="What the credential may do, sorted.")
    application = MeApplicationSerializer(allow_null=True, help_text="The OAuth client, for oauth/impersonation.")
    impersonated_producer_id = serializers.IntegerField(allow_null=True)
    timezone = serializers.CharField(
        help_text="The IANA zone the caller reads times in (the pages use it): the member's own, else "
        "their office's, else the organisation's; the organisation's for an OAuth client."
    )

    @staticmethod
    def payload(*, actor, employee) -> dict:
        """The representation's data for ``actor`` (and its employee record, or None)."""
        user = actor.user
        return {
            "credential": actor.kind,
            "user": ({"id": user.pk, "email": user.email, "full_name": user.full_name} if user is not None else None),
            "employee": (
                {
                    "id": employee.pk,
                    "display_name": employee.display_name,
                    "office_id": employee.office_id,
                    "status": employee.status,
                    "termination_date": employee.termination_date,
                }
                if employee is not None
                else None
            ),
            "organisation": actor.organisation,
            "role": actor.role,
            "roles": [actor.role] if actor.role else [],
            "scopes": sorted(actor.scopes),
            "application": (
                {"client_id": actor.application.client_id, "name": actor.application.name}
                if actor.application is not None
                else None
            ),
            "impersonated_producer_id": actor.impersonated_producer_id,
            "timezone": actor.membership.zone_name if actor.membership is not None else actor.organisation.timezone,
        }
