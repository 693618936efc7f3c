"""The time zones of an organisation's offices, read once per process (issue 13 point 14).

A list filtered by local days (time entries' ``start_date``/``end_date``) needs each office's time
zone. Reading them per request was a query of its own on the list path; here they are cached per
process under the organisation's ``offices_version``, which every save or delete of one of its
offices replaces (in the same transaction, :func:`office_changed`). A process holding an older
version sees the organisation row (read by every request's authentication) carry a new one and
reads the offices again. ``bulk_create``/``QuerySet.update`` of offices send no signal: code that
writes offices that way calls :func:`office_changed` itself (none does today).
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db.models.signals import post_delete, post_save

from .models import Office, Organisation

#: organisation id -> (its offices_version when read, {time zone: ids of its offices there})
_ZONES: dict[int, tuple[uuid.UUID, dict[str, tuple[int, ...]]]] = {}


def office_time_zones(organisation: Organisation) -> dict[str, tuple[int, ...]]:
    """The organisation's offices by time zone (``{"Europe/London": (3, 7)}``), from this
    process's cache while the organisation's ``offices_version`` is the one it was read under."""
    version = organisation.offices_version
    cached = _ZONES.get(organisation.pk)
    if cached is not None and cached[0] == version:
        return cached[1]
    by_zone: dict[str, list[int]] = defaultdict(list)
    rows = Office.objects.for_organisation(organisation).order_by("pk").values_list("pk", "timezone")
    for pk, zone in rows:
        by_zone[zone or "UTC"].append(pk)
    zones = {zone: tuple(ids) for zone, ids in by_zone.items()}
    _ZONES[organisation.pk] = (version, zones)
    return zones


def office_changed(organisation_id: int, organisation: Organisation | None = None) -> None:
    """An office of this organisation was created, changed or deleted: a new ``offices_version``
    (also on ``organisation``, the in-memory instance, when given) and this process's entry gone."""
    version = uuid.uuid4()
    Organisation.objects.filter(pk=organisation_id).update(offices_version=version)
    if organisation is not None:
        organisation.offices_version = version
    _ZONES.pop(organisation_id, None)


def _on_office_saved_or_deleted(sender, instance: Office, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures: the organisation row may not be there yet
    cached = instance.organisation if Office.organisation.is_cached(instance) else None
    office_changed(instance.organisation_id, cached)


def connect() -> None:
    """Called once from ``OrganisationsConfig.ready``."""
    post_save.connect(_on_office_saved_or_deleted, sender=Office, dispatch_uid="tys_office_zones_saved")
    post_delete.connect(_on_office_saved_or_deleted, sender=Office, dispatch_uid="tys_office_zones_deleted")
