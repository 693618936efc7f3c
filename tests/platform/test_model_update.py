"""``trackyoursheets.db.model_update``: an update service changes only the fields it lists (issue 12)."""

import pytest
from django.core.exceptions import ValidationError

from organisations.models import Workspace
from tests.organisations.factories import OfficeFactory, WorkspaceFactory
from trackyoursheets.db import model_update

pytestmark = pytest.mark.django_db


def test_only_listed_fields_change_and_the_changes_are_returned(office):
    workspace = WorkspaceFactory(office=office, name="North", description="same")
    branch = OfficeFactory(organisation=office.organisation)

    workspace, changes = model_update(
        instance=workspace,
        fields=["name", "description", "office"],
        data={"name": "South", "description": "same", "office": branch, "status": "archived"},
    )

    stored = Workspace.objects.get(pk=workspace.pk)
    assert changes == {"name": ["North", "South"], "office_id": [office.pk, branch.pk]}
    assert (stored.name, stored.office_id, stored.status) == ("South", branch.pk, "active")


def test_nothing_to_change_saves_nothing(office, count_queries):
    workspace = WorkspaceFactory(office=office, name="North")

    queries = count_queries(lambda: model_update(instance=workspace, fields=["name"], data={"name": "North"}))

    assert queries == 0


def test_the_instance_is_validated_before_saving(office):
    workspace = WorkspaceFactory(office=office, name="North")

    with pytest.raises(ValidationError):
        model_update(instance=workspace, fields=["name"], data={"name": ""})

    assert Workspace.objects.get(pk=workspace.pk).name == "North"
