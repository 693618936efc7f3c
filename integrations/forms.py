"""Forms of the webhook pages: shapes only; the services apply every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.forms import (
    PageForm,
    add_service_errors,  # noqa: F401 - compat: payroll until the issue-12 merge (import_views)
)

from . import events
from .choices import DeliveryStatus


def topic_choices() -> list[tuple[str, str]]:
    return [
        (events.ALL_TOPICS, _("Every topic, including ones added later (*)")),
        *((t.name, f"{t.name} — {t.description}") for t in events.topic_list()),
    ]


class WebhookSubscriptionForm(PageForm):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("An https:// URL on the public internet that answers 2xx within 5 seconds."),
    )
    topics = forms.MultipleChoiceField(label=_("Topics"), choices=topic_choices, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Inactive subscriptions receive nothing.")
    )


class DeliveryFilterForm(PageForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(DeliveryStatus.choices), required=False
    )
