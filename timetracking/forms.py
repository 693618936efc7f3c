"""Forms of the time pages (parse input only; :mod:`timetracking.services` holds the rules):
clients, projects and tasks (issue 14 point 9); a manual time request (issue 15 point 9)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.forms import PageForm

from . import selectors
from .choices import ProjectStatus, TaskPriority, TaskStatus
from .models import REASON_MAX_LENGTH


class ClientForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    default_rate = forms.DecimalField(
        label=_("Default hourly rate"), max_digits=10, decimal_places=2, min_value=0, required=False
    )


class ProjectForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    client = forms.ModelChoiceField(label=_("Client"), queryset=None, required=False, empty_label=_("No client"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.ACTIVE)
    billable = forms.BooleanField(label=_("Billable by default"), required=False, initial=True)
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    estimated_hours = forms.DecimalField(
        label=_("Estimated hours"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    budget = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args, actor, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        clients = selectors.client_list(actor=actor).filter(archived=False)
        if client is not None:  # an archived client stays selectable on its own projects
            clients = selectors.client_list(actor=actor).filter(pk=client.pk) | clients
        self.fields["client"].queryset = clients


class TaskForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, initial=TaskStatus.TODO)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=TaskPriority.choices, coerce=int, initial=TaskPriority.NORMAL
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody"))
    estimated_hours = forms.DecimalField(
        label=_("Estimated hours"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate"), max_digits=10, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.time_employee_list(actor=actor)


#: ``<input type="time">`` with its ``HH:MM`` value, in every language
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TimeRequestForm(PageForm):
    """A request for past time the employee did not record: the project and task pickers of the
    timer page (``project_id``, ``task_id``), a day, clock times in the reader's zone, overnight
    and the reason. The service validates it as the entry it would become."""

    project_id = forms.ModelChoiceField(
        label=_("Project"),
        queryset=None,
        error_messages={"required": _("Choose a project."), "invalid_choice": _("Choose one of your projects.")},
    )
    task_id = forms.ModelChoiceField(
        label=_("Task"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the project's tasks, or no task.")},
    )
    date = forms.DateField(label=_("Day"), error_messages={"required": _("Give the day the time was worked.")})
    start = forms.TimeField(label=_("Start"), widget=TIME_INPUT, error_messages={"required": _("Give the start time.")})
    end = forms.TimeField(label=_("End"), widget=TIME_INPUT, error_messages={"required": _("Give the end time.")})
    overnight = forms.BooleanField(label=_("Overnight (ends the next day)"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the time was not recorded.")},
    )

    #: the service's field names → this form's
    SERVICE_FIELDS = {"project": "project_id", "task": "task_id", "start_time": "start", "end_time": "end"}

    def __init__(self, *args, projects, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_id"].queryset = projects
        self.fields["task_id"].queryset = tasks
