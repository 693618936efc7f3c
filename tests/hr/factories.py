import factory
from factory.django import DjangoModelFactory

from hr.models import Employee
from tests.organisations.factories import OfficeFactory


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    office = factory.SubFactory(OfficeFactory)
    organisation = factory.SelfAttribute("office.organisation")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"employee{n}@example.test")
