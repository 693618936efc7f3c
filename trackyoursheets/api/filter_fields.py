"""Filter fields whose values every database accepts: a bad one is a 422, never a 500."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms


class UtcIsoDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time, normalised to UTC (PostgreSQL refuses offsets past ±15:59)."""

    def to_python(self, value):
        parsed = django_filters.fields.IsoDateTimeField().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a date and time within the years 1 to 9999.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
