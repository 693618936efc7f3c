"""Project viewers (issue 15 point 4): client contacts with the ``viewer`` role, each given some
projects; they see those projects, their tasks and tracked hours, and amounts only where
``can_see_amounts`` is set, and nothing else in the organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from .catalogue import Project


class ProjectViewerQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ProjectViewerQuerySet:
        """Owners, admins, managers and organisation-wide clients see every grant; other members
        none (a viewer never reaches the list: ``viewer_rows`` is empty)."""
        if actor.sees_whole_organisation or actor.role == Role.MANAGER:
            return self
        return self.none()


class ProjectViewer(TenantModel):
    """One project given to one project viewer (a ``viewer`` membership). At most one per
    viewer and project; ``can_see_amounts`` lets the viewer see the project's bill amounts."""

    membership = models.ForeignKey("organisations.Membership", on_delete=models.CASCADE, related_name="project_grants")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="viewer_grants")
    can_see_amounts = models.BooleanField(_("can see amounts"), default=False)

    objects = ProjectViewerQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "membership", "project"],
                name="%(app_label)s_%(class)s_unique_membership_project",
                violation_error_message=_("This person already views this project."),
            )
        ]

    def __str__(self) -> str:
        return f"viewer {self.membership_id} of project {self.project_id}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            project=getattr(self, "project", None), membership=getattr(self, "membership", None)
        )
        membership = getattr(self, "membership", None)
        if membership is not None and membership.role != Role.VIEWER:
            errors = {**(errors or {}), "membership": _("Only a project viewer can be given a project.")}
        if errors:
            raise ValidationError(errors)
