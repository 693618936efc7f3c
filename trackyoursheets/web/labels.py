"""Labels, never codes (issue 14 point 9; DESIGN §9): ``{{ value|label }}`` on every page.

A builtin template filter (``TEMPLATES["OPTIONS"]["builtins"]``, so no ``{% load %}``): a stored
code such as ``in_progress`` is shown with the label its model's choices give it ("In progress"),
translated. Codes that no choice list knows, or that two lists label differently, fall back to the
code made readable (``chargeback_reversal`` → "Chargeback reversal"). ``{{ value|label:"hr.complaint.status" }}``
picks one field's choices when the same code means different things.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.apps import apps
from django.utils.encoding import force_str

__all__ = ["humanise", "label", "register"]

register = template.Library()

_AMBIGUOUS = object()


def humanise(code: str) -> str:
    """``in_progress`` → "In progress"; ``commission.paid`` → "Commission paid"."""
    text = code.replace("_", " ").replace("-", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


@cache
def _choice_labels() -> tuple[dict, dict]:
    """(code → label across every model field with choices, "app.model.field" → {code: label})."""
    merged: dict = {}
    per_field: dict = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "flatchoices", None)
            if not choices:
                continue
            labels = {str(value): text for value, text in choices if value not in (None, "")}
            per_field[f"{model._meta.app_label}.{model._meta.model_name}.{field.name}"] = labels
            for value, text in labels.items():
                known = merged.get(value)
                if known is None:
                    merged[value] = text
                elif known is not _AMBIGUOUS and force_str(known) != force_str(text):
                    merged[value] = _AMBIGUOUS
    return merged, per_field


@register.filter(name="label")
def label(value, field: str = "") -> str:
    """The label of a stored code (see the module docstring); empty values stay empty."""
    if value is None or value == "":
        return ""
    code = str(value)
    merged, per_field = _choice_labels()
    if field:
        text = per_field.get(field.lower(), {}).get(code)
        if text is not None:
            return force_str(text)
    text = merged.get(code)
    if text is None or text is _AMBIGUOUS:
        return humanise(code)
    return force_str(text)
