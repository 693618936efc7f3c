"""``hr.demo.seed``: the demo organisation's directory, a published handbook and one ticket; idempotent."""

import pytest

from hr import demo
from hr.models import Complaint, Employee, HRDocument
from integrations.models import OutboxEvent
from organisations.management.commands.seed_demo import seed_demo

pytestmark = pytest.mark.django_db


def counts(organisation):
    return (
        Employee.objects.for_organisation(organisation).count(),
        Employee.objects.for_organisation(organisation).filter(membership__isnull=False).count(),
        HRDocument.objects.for_organisation(organisation).count(),
        Complaint.objects.for_organisation(organisation).count(),
        OutboxEvent.objects.filter(organisation=organisation, topic__startswith="hr.").count(),
    )


def test_seed_fills_the_directory_and_is_idempotent(private_files):
    organisation = seed_demo().organisation

    demo.seed(organisation)
    first = counts(organisation)
    demo.seed(organisation)

    assert counts(organisation) == first
    employees, with_login, documents, tickets, _events = first
    assert with_login == 6  # owner, admin, manager, HR, producer, employee
    assert employees == 8  # and the two employees without a login
    assert (documents, tickets) == (1, 1)
    handbook = HRDocument.objects.for_organisation(organisation).get()
    assert handbook.is_published and handbook.current_version.content_type == "text/plain"
    assert (private_files / handbook.current_version.storage_path).is_file()
    assert Employee.objects.for_organisation(organisation).filter(job_title="").count() == 2
