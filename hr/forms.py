"""Forms of the HR pages. They parse input only; services apply the rules (STYLE §2.5)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import Office
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH
from trackyoursheets.web.forms import PageForm

from .choices import (
    COMPLAINT_TRANSITIONS,
    Audience,
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
    DocumentCategory,
    EmployeeStatus,
    EmploymentType,
    PayType,
)
from .models import REPLY_MAX_LENGTH, Employee

BLANK = [("", "—")]


#: service field names -> the fields of the HR forms that show their errors
SERVICE_FIELDS = {"office_ids": "offices", "audience_roles": "roles", "assignee_id": "assignee"}


class DirectoryFilterForm(PageForm):
    q = forms.CharField(label=_("Search"), required=False)
    office_id = forms.ChoiceField(label=_("Office"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + EmployeeStatus.choices)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=BLANK + Role.choices)
    department = forms.CharField(label=_("Department"), required=False)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_id"].choices = BLANK + [(str(o.pk), o.name) for o in offices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class EmployeeForm(PageForm):
    employee_number = forms.CharField(label=_("Employee number"), max_length=50, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none(), required=False)
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=Employee.objects.none(), required=False)
    employment_type = forms.ChoiceField(label=_("Employment type"), choices=EmploymentType.choices)
    hire_date = forms.DateField(label=_("Hire date"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=EmployeeStatus.choices, initial=EmployeeStatus.ACTIVE)
    pay_type = forms.ChoiceField(label=_("Pay type"), choices=BLANK + PayType.choices, required=False)
    pay_rate = forms.DecimalField(label=_("Pay rate"), max_digits=14, decimal_places=2, min_value=0, required=False)
    emergency_contact_name = forms.CharField(label=_("Emergency contact"), max_length=200, required=False)
    emergency_contact_phone = forms.CharField(label=_("Emergency contact phone"), max_length=50, required=False)
    emergency_contact_relationship = forms.CharField(label=_("Relationship"), max_length=100, required=False)

    def __init__(self, *args, offices=None, managers=None, show_pay=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices if offices is not None else Office.objects.none()
        self.fields["manager"].queryset = managers if managers is not None else Employee.objects.none()
        if not show_pay:
            del self.fields["pay_type"]
            del self.fields["pay_rate"]


def employee_initial(employee: Employee) -> dict:
    names = [name for name in EmployeeForm.base_fields if name not in ("office", "manager")]
    initial = {name: getattr(employee, name) for name in names}
    initial.update(office=employee.office_id, manager=employee.manager_id)
    return initial


class DocumentForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, DOCX, PNG, JPEG or TXT)"))
    version = forms.CharField(label=_("Version"), max_length=50, initial="1")
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    offices = forms.ModelMultipleChoiceField(label=_("Offices"), queryset=Office.objects.none(), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False)
    requires_acknowledgement = forms.BooleanField(label=_("Everyone must acknowledge it"), required=False, initial=True)
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices if offices is not None else Office.objects.none()


class VersionForm(PageForm):
    file = forms.FileField(label=_("New file"))
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    notes = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(PageForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=ComplaintPriority.choices, initial="normal")
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 8}), max_length=FREE_TEXT_MAX_LENGTH
    )
    about_employee = forms.ModelChoiceField(
        label=_("Who is it about (optional)"), queryset=Employee.objects.none(), required=False
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously (nobody, HR included, will see who you are)"), required=False
    )

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["about_employee"].queryset = employees
            self.fields["about_employee"].label_from_instance = lambda e: e.display_name


class FollowForm(PageForm):
    token = forms.CharField(label=_("Your private follow code"), max_length=200)


class TicketFilterForm(PageForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + ComplaintStatus.choices)
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=BLANK + ComplaintPriority.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class AssignForm(PageForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda m: m.user.get_full_name()


class TransitionForm(PageForm):
    """The status menu offers only the moves the ticket's status allows (issue 14 point 9); the
    service still refuses any other (a forged POST)."""

    status = forms.ChoiceField(label=_("Move to"), choices=ComplaintStatus.choices)
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None:
            allowed = COMPLAINT_TRANSITIONS.get(current, frozenset())
            self.fields["status"].choices = [(v, label) for v, label in ComplaintStatus.choices if v in allowed]


class ReplyForm(PageForm):
    """A reply of the thread; its own ids, as the ticket page also holds the internal-note form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)

    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REPLY_MAX_LENGTH)


class NoteForm(PageForm):
    body = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=FREE_TEXT_MAX_LENGTH
    )
