"""Choices of the TrackTik connector."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShiftState(models.TextChoices):
    """What our copy of a TrackTik shift is: synced into a time entry, removed (no longer approved
    or gone), or flagged for review (it changed or went away inside a locked period)."""

    SYNCED = "synced", _("Synced")
    REMOVED = "removed", _("Removed")
    FLAGGED = "flagged", _("Flagged for review")


class PayType(models.TextChoices):
    REGULAR = "regular", _("Regular")
    OVERTIME = "overtime", _("Overtime")
    HOLIDAY = "holiday", _("Holiday")


class Coverage(models.TextChoices):
    COVERED = "covered", _("Covered")
    UNDER = "under", _("Under-covered")
    OVER = "over", _("Over-covered")
    UNREQUESTED = "unrequested", _("Unrequested")
