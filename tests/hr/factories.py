import hashlib

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from hr.choices import ComplaintStatus
from hr.models import (
    Complaint,
    ComplaintNote,
    Employee,
    EmployeeExternalId,
    HRDocument,
    HRDocumentAcknowledgement,
    HRDocumentVersion,
)
from tests.organisations.factories import MembershipFactory, OfficeFactory, OrganisationFactory


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    office = factory.SubFactory(OfficeFactory)
    organisation = factory.SelfAttribute("office.organisation")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"employee{n}@example.test")


class EmployeeExternalIdFactory(DjangoModelFactory):
    class Meta:
        model = EmployeeExternalId

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    source = "tracktik"
    external_id = factory.Sequence(lambda n: f"TT-{n}")


class HRDocumentFactory(DjangoModelFactory):
    """A published document with one version row (its file is not written; see tests/hr/conftest.py
    for documents uploaded through the API with real files)."""

    class Meta:
        model = HRDocument
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Policy {n:03d}")
    category = "policy"
    requires_acknowledgement = True
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(minutes=1))

    @factory.post_generation
    def with_version(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        version = HRDocumentVersionFactory(document=obj, number=1, label="1")
        obj.current_version = version
        obj.save(update_fields=["current_version"])


class HRDocumentVersionFactory(DjangoModelFactory):
    class Meta:
        model = HRDocumentVersion

    document = factory.SubFactory(HRDocumentFactory, with_version=False)
    organisation = factory.SelfAttribute("document.organisation")
    number = 1
    label = "1"
    file_name = "policy.txt"
    content_type = "text/plain"
    size = 5
    sha256 = hashlib.sha256(b"hello").hexdigest()
    storage_path = factory.Sequence(lambda n: f"hr/none/{n}")


class HRDocumentAcknowledgementFactory(DjangoModelFactory):
    class Meta:
        model = HRDocumentAcknowledgement

    document = factory.SubFactory(HRDocumentFactory)
    organisation = factory.SelfAttribute("document.organisation")
    version = factory.SelfAttribute("document.current_version")
    employee = factory.SubFactory(EmployeeFactory, office__organisation=factory.SelfAttribute("...organisation"))


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    organisation = factory.SubFactory(OrganisationFactory)
    reporter = factory.SubFactory(MembershipFactory, organisation=factory.SelfAttribute("..organisation"))
    subject = factory.Sequence(lambda n: f"Concern {n:03d}")
    description = "Something happened at the office."
    status = ComplaintStatus.OPEN


class ComplaintNoteFactory(DjangoModelFactory):
    class Meta:
        model = ComplaintNote

    complaint = factory.SubFactory(ComplaintFactory)
    organisation = factory.SelfAttribute("complaint.organisation")
    author_label = "hr@example.test"
    body = "Spoke with the team lead."


# =============================================================================
# Leave (issue 16)
# =============================================================================


class LeaveTypeFactory(DjangoModelFactory):
    class Meta:
        model = "hr.LeaveType"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Vacation {n}")
    kind = "vacation"
    paid = True
    pay_code_name = "Vacation"


class LeavePolicyFactory(DjangoModelFactory):
    class Meta:
        model = "hr.LeavePolicy"
        skip_postgeneration_save = True

    leave_type = factory.SubFactory(LeaveTypeFactory)
    organisation = factory.SelfAttribute("leave_type.organisation")
    name = factory.Sequence(lambda n: f"Policy {n}")
    accrual_method = "monthly"
    annual_hours = 120
    starts_on = timezone.datetime(2020, 1, 1).date()


class HolidayGroupFactory(DjangoModelFactory):
    class Meta:
        model = "hr.HolidayGroup"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Holidays {n}")


class HolidayFactory(DjangoModelFactory):
    class Meta:
        model = "hr.Holiday"

    group = factory.SubFactory(HolidayGroupFactory)
    organisation = factory.SelfAttribute("group.organisation")
    date = factory.Sequence(lambda n: timezone.datetime(2026, 1, 1).date() + timezone.timedelta(days=n))
    name = "Holiday"


class LeaveAccountFactory(DjangoModelFactory):
    class Meta:
        model = "hr.LeaveAccount"

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    leave_type = factory.SubFactory(LeaveTypeFactory, organisation=factory.SelfAttribute("..organisation"))


class LeaveLedgerEntryFactory(DjangoModelFactory):
    class Meta:
        model = "hr.LeaveLedgerEntry"

    account = factory.SubFactory(LeaveAccountFactory)
    organisation = factory.SelfAttribute("account.organisation")
    kind = "adjustment"
    hours = 8
    effective_date = factory.LazyFunction(lambda: timezone.localdate())
    reason = "Opening balance"


class LeaveRequestFactory(DjangoModelFactory):
    class Meta:
        model = "hr.LeaveRequest"

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    leave_type = factory.SubFactory(LeaveTypeFactory, organisation=factory.SelfAttribute("..organisation"))
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=30))
    end_date = factory.SelfAttribute("start_date")
    working_days = 1
    hours = 8
    days = factory.LazyAttribute(lambda o: [[o.start_date.isoformat(), "8.00"]])
