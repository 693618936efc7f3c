"""HR tickets (complaints) and their internal notes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from ..choices import (
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
)
from .access import is_integration
from .employees import Employee


class ComplaintQuerySet(TenantQuerySet):
    def restrict_to(self, actor):
        """The reporter, the assignee, HR (unless the ticket is about them) and integrations."""
        if is_integration(actor):
            return self
        if actor.membership is None or actor.impersonated_producer_id:
            return self.none()
        seen = Q(reporter=actor.membership) | Q(assignee=actor.membership)
        if actor.role == Role.HR:
            seen |= ~Q(about_employee__membership=actor.membership) | Q(about_employee__isnull=True)
        return self.filter(seen)


class Complaint(TenantModel):
    """A confidential HR ticket. An anonymous ticket stores no reporter at all: its reporter
    follows it with the private token they were given (only its hash is kept)."""

    reporter = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    follow_token_hash = models.CharField(_("follow token hash"), max_length=64, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=ComplaintCategory.choices, default=ComplaintCategory.OTHER
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=ComplaintPriority.choices,
        default=ComplaintPriority.NORMAL,
        db_index=True,
    )
    description = models.TextField(_("description"))
    about_employee = models.ForeignKey(
        Employee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
        help_text=_("The person the ticket is about; never its assignee."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HR ticket")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(reporter__isnull=True),
                name="hr_complaint_anonymous_has_no_reporter",
                violation_error_message=_("An anonymous ticket never records its reporter."),
            ),
        ]

    def __str__(self) -> str:
        return f"HR-{self.pk}"

    @property
    def reference(self) -> str:
        return f"HR-{self.pk}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            reporter=self.reporter, assignee=self.assignee, about_employee=self.about_employee
        )
        if (
            self.assignee_id
            and self.about_employee_id
            and self.about_employee is not None
            and self.about_employee.membership_id == self.assignee_id
        ):
            errors["assignee"] = _("A ticket is never assigned to the person it is about.")
        if errors:
            raise ValidationError(errors)


class ComplaintNote(TenantModel):
    """An internal note on a ticket: HR and the assignee read it, the reporter never does."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=255, blank=True)
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("HR ticket note")

    def __str__(self) -> str:
        return f"Note on HR-{self.complaint_id}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(complaint=getattr(self, "complaint", None), author=self.author)
        if errors:
            raise ValidationError(errors)


#: the longest reply of the reply thread (issue 14 point 9)
REPLY_MAX_LENGTH = 5000


class ComplaintReply(TenantModel):
    """A message of the reply thread between HR and the person who reported a concern (issue 14
    point 9): unlike internal notes, both sides read it. A reply HR writes names its author; a
    reporter's reply on an anonymous ticket stores nobody (it is written through the private
    follow link), so anonymity holds for the whole conversation."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="replies")
    from_hr = models.BooleanField(_("from HR"), default=False)
    author = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=REPLY_MAX_LENGTH)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("HR ticket reply")
        verbose_name_plural = _("HR ticket replies")

    def __str__(self) -> str:
        return f"Reply on HR-{self.complaint_id}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(complaint=getattr(self, "complaint", None), author=self.author)
        if len(self.body or "") > REPLY_MAX_LENGTH:
            errors["body"] = _("Keep a reply under %(n)s characters.") % {"n": REPLY_MAX_LENGTH}
        if errors:
            raise ValidationError(errors)
