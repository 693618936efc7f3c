"""The project viewer's portal (issue 15 points 4 and 9): ``/app/time/portal``, the only page a
project viewer opens. Their projects, each with its tracked hours, its tasks' hours against their
estimates, and the amount where the viewer's grant allows it. Read through the reports, so the
page shows what ``/v1/reports/tracked-hours`` and ``/v1/reports/tasks`` answer them."""

from __future__ import annotations

from collections import defaultdict

from django.views.generic import TemplateView

from organisations.choices import Role
from trackyoursheets.web import MemberPageMixin

from . import reports, selectors


class ViewerPortalPage(MemberPageMixin, TemplateView):
    template_name = "timetracking/portal.html"
    allowed_roles = (Role.VIEWER,)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        projects = list(selectors.project_list(actor=self.actor))
        by_project = {
            row["project_id"]: row for row in reports.tracked_hours_report(actor=self.actor, group_by="project")["rows"]
        }
        tasks = defaultdict(list)
        for row in reports.task_report(actor=self.actor):
            tasks[row["project_id"]].append(row)
        context["projects"] = [
            {
                "project": project,
                "hours": by_project.get(project.pk, {}).get("hours"),
                "billable_hours": by_project.get(project.pk, {}).get("billable_hours"),
                "amount": by_project.get(project.pk, {}).get("amount"),
                "tasks": tasks.get(project.pk, []),
            }
            for project in projects
        ]
        context["currency"] = self.actor.organisation.currency
        return context
