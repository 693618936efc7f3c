"""REST shapes of project viewers (issue 15 point 4)."""

from __future__ import annotations

from rest_framework import serializers

from trackyoursheets.api.fields import ScopedPrimaryKeyRelatedField

from ... import selectors
from ...models import ProjectViewer


class ProjectViewerSerializer(serializers.ModelSerializer):
    project_id = serializers.IntegerField(read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    membership_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(source="membership.user_id", read_only=True)
    email = serializers.EmailField(source="membership.user.email", read_only=True)
    status = serializers.CharField(
        source="membership.status", read_only=True, help_text="The viewer's membership: invited, active or deactivated."
    )

    class Meta:
        model = ProjectViewer
        fields = [
            "id",
            "project_id",
            "project_name",
            "membership_id",
            "user_id",
            "email",
            "status",
            "can_see_amounts",
            "created_at",
            "updated_at",
        ]


class ProjectViewerInputSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The client contact; invited by email when new to the organisation.")
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    can_see_amounts = serializers.BooleanField(required=False, default=False)


class ProjectViewerUpdateSerializer(serializers.Serializer):
    can_see_amounts = serializers.BooleanField()
