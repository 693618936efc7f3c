"""Shared pieces of the time-tracking serializers: money and hour fields, tags, rate masking
and the organisation's currency."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trackyoursheets.api.fields import actor_of

from ...models import TimeEntry, normalise_tags
from ...policies import can_see_rates

MAX_BULK = 500
#: the stored tags hold at most this many characters
TAGS_MAX_LENGTH = TimeEntry._meta.get_field("tags").max_length


def Rate(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True, **kwargs)


def Hours(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, allow_null=True, **kwargs)


@extend_schema_field({"type": "string", "maxLength": TAGS_MAX_LENGTH})
class TagsField(serializers.Field):
    """Tags as one comma-separated string (``"development,frontend"``), or a list of strings on input;
    stored lower case, trimmed, without duplicates."""

    def to_internal_value(self, data):
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return normalise_tags(data)
        if isinstance(data, str):
            return normalise_tags(data)
        raise serializers.ValidationError(_("Give a comma-separated string or a list of strings."))

    def to_representation(self, value):
        return value or ""


class RateMaskMixin:
    """Rates and budgets are null for roles that may not see them."""

    rate_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can_see_rates(actor_of(self.context)):
            for name in self.rate_fields:
                data[name] = None
        return data


class CurrencyMixin(serializers.Serializer):
    currency = serializers.SerializerMethodField(help_text="ISO 4217 code of the organisation's currency.")

    def get_currency(self, obj) -> str:
        actor = actor_of(self.context)
        return actor.organisation.currency if actor is not None else obj.organisation.currency
