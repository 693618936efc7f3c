"""The member's own settings (issue 14 point 3): the timezone every page shows their times in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from trackyoursheets.web import ConsolePage

from .. import services
from ..forms.account import MySettingsForm


class MySettingsView(ConsolePage):
    """Every member's own page: their timezone (default: their office's, else the organisation's)."""

    template_name = "app/my_settings.html"

    def default_zone(self) -> str:
        membership = self.actor.membership
        office = membership.office if membership is not None else None
        return office.timezone if office is not None else self.actor.organisation.timezone

    def make_form(self, data=None):
        membership = self.actor.membership
        initial = {"timezone": membership.timezone if membership is not None else ""}
        return MySettingsForm(data, initial=initial, default_zone=self.default_zone())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid() or self.actor.membership is None:
            return self.redisplay(form=form)
        done = self.apply(
            form,
            lambda: services.member_timezone_set(
                actor=self.actor, membership=self.actor.membership, zone=form.cleaned_data["timezone"]
            ),
        )
        if done is None:
            return self.redisplay(form=form)
        messages.success(request, _("Settings saved: times are shown in %(zone)s.") % {"zone": done.zone_name})
        return HttpResponseRedirect(reverse("app:my-settings"))


urlpatterns = [
    path("settings/me", MySettingsView.as_view(), name="my-settings"),
]
