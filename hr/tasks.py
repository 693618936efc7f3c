"""Celery tasks of the hr app (STYLE §5): thin, ids only, idempotent."""

from __future__ import annotations

import datetime
import zoneinfo

from celery import shared_task
from celery.utils.log import get_task_logger
from django.utils import timezone

from organisations.models import Organisation

from .services import post_accruals, post_year_end

logger = get_task_logger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def leave_accruals_task(on: str | None = None, organisation_id: int | None = None) -> int:
    """Beat (``CELERY_BEAT_SCHEDULE["leave-accruals"]``): post the monthly accruals and annual
    grants that are due, and the year-end carry-over and expiry rows, for every organisation
    (``on``: an ISO date, default each organisation's today). Running it again posts nothing
    twice (each accrual row has a key unique per balance in the database)."""
    organisations = Organisation.objects.filter(is_active=True).order_by("pk")
    if organisation_id is not None:
        organisations = organisations.filter(pk=organisation_id)
    posted = 0
    for organisation in organisations.iterator():
        day = (
            datetime.date.fromisoformat(on)
            if on
            else timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.timezone or "UTC")).date()
        )
        rows = post_accruals(organisation=organisation, on=day) + post_year_end(organisation=organisation, on=day)
        if rows:
            logger.info("Leave accruals: %s rows for organisation %s", rows, organisation.pk)
        posted += rows
    return posted
