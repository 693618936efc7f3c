"""The member's own settings page form (issue 14 point 3)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from trackyoursheets.web.forms import PageForm

from .console import timezone_choices


class MySettingsForm(PageForm):
    timezone = forms.ChoiceField(
        label=_lazy("Timezone"),
        required=False,
        help_text=_lazy("Every page shows your times, and reads the times you type, in this zone."),
    )

    def __init__(self, *args, default_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        default = _lazy("Your office's: %(zone)s") % {"zone": default_zone}
        self.fields["timezone"].choices = [("", default), *timezone_choices()]
