"""The HR pages' shared base: the HR portal page (roles, sub-navigation, scoped lookups) and the every-member page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web import (
    MemberPageMixin,
    NavItem,
    scoped_or_404,
    visible_links,
)

from .. import selectors

HR_PORTAL = (*OWNER_ADMIN, Role.HR)
PAGE_SIZE = 50


class HRPage(MemberPageMixin, TemplateView):
    allowed_roles = HR_PORTAL

    def show(self, template_name: str, status: int = 200, **context):
        self.template_name = template_name
        response = self.render_to_response(self.get_context_data(**context))
        response.status_code = status
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # the area's links, each shown to the roles its page declares (issue 12 point 5)
        if self.actor.role in HRPage.allowed_roles:
            context["hr_links"] = [(link["url"], link["label"]) for link in visible_links(self.actor, HR_LINKS)]
        return context

    def employee(self, pk):
        return scoped_or_404(selectors.employee_get, actor=self.actor, pk=pk)

    def document(self, pk):
        return scoped_or_404(selectors.document_get, actor=self.actor, pk=pk)

    def complaint(self, pk):
        return scoped_or_404(selectors.complaint_get, actor=self.actor, pk=pk)


#: the HR portal's sub-navigation (who sees a link: its page's ``allowed_roles``)
HR_LINKS = (
    NavItem(gettext_lazy("Overview"), "hr:dashboard"),
    NavItem(gettext_lazy("Directory"), "hr:directory"),
    NavItem(gettext_lazy("Documents"), "hr:documents"),
    NavItem(gettext_lazy("Tickets"), "hr:tickets"),
    NavItem(gettext_lazy("Leave policies"), "hr:leave-policies"),
    NavItem(gettext_lazy("Holiday calendars"), "hr:holiday-calendars"),
    NavItem(gettext_lazy("Leave balances"), "hr:leave-balances"),
    NavItem(gettext_lazy("Team leave"), "hr:team-leave"),
)


class MemberHRPage(HRPage):
    allowed_roles = None
