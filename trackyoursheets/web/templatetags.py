"""Template builtins of every page (issue 14 point 5): ``{{ amount|money:currency }}``,
``{{ seconds|duration }}``, ``{{ value|hours }}`` -- the formats of :mod:`.formats`.

Registered as a builtin in ``settings.TEMPLATES`` so no template needs ``{% load %}``.
"""

from __future__ import annotations

from django import template

from .formats import format_duration, format_hours, format_money

register = template.Library()


@register.filter
def money(value, currency=None) -> str:
    return format_money(value, currency)


@register.filter
def duration(value) -> str:
    return format_duration(value)


@register.filter
def hours(value) -> str:
    return format_hours(value)
