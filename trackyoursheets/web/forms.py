"""The base of every page form and the one form-error helper of every page (issue 12 point 3).

Every page form derives from :class:`PageForm` (issue 14 point 1): its date and date-time fields
render the ISO values the browser's ``<input type="date">`` / ``type="datetime-local"`` accept
(``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM``) whatever ``LANGUAGE_CODE`` says, so an unchanged re-submit
keeps them (a localised ``05/06/2026`` is rejected by the browser, which then submits nothing).

Services raise ``ValidationError`` or a :class:`~trackyoursheets.exceptions.DomainError`; a page
shows the refusal on its form (:func:`add_service_errors`) or, for one-button actions, as one
flash sentence (:func:`error_text`). Nothing else turns a service error into page text.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from trackyoursheets.exceptions import DomainError

__all__ = [
    "ISO_DATE",
    "ISO_DATETIME",
    "SERVICE_ERRORS",
    "IsoDateInput",
    "IsoDateTimeInput",
    "PageForm",
    "PageFormMixin",
    "add_service_errors",
    "error_text",
    "form_error_text",
]

#: what a browser's date / datetime-local input accepts as its value, in every language
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` with an ISO value, never the locale's format."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with an ISO value (minutes), in the active timezone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's argument name
        super().__init__(attrs, format=ISO_DATETIME)


def iso_widget(field: forms.Field) -> forms.Widget | None:
    """The ISO widget a date or date-time field needs (keeping its attributes), else ``None``."""
    if isinstance(field, forms.SplitDateTimeField):
        return None
    attrs = {k: v for k, v in field.widget.attrs.items() if k != "type"}
    if isinstance(field, forms.DateTimeField) and not isinstance(field.widget, IsoDateTimeInput):
        return IsoDateTimeInput(attrs=attrs)
    if isinstance(field, forms.DateField) and not isinstance(field.widget, IsoDateInput):
        return IsoDateInput(attrs=attrs)
    return None


class PageFormMixin:
    """Date and date-time fields of a page form get the ISO widgets (issue 14 point 1), also the
    ones a subclass adds in its ``__init__`` (checked again when the form is rendered)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use_iso_widgets()

    def use_iso_widgets(self) -> None:
        for field in self.fields.values():
            widget = iso_widget(field)
            if widget is not None:
                widget.is_required = field.required
                field.widget = widget

    def __getitem__(self, name):
        self.use_iso_widgets()
        return super().__getitem__(name)


class PageForm(PageFormMixin, forms.Form):
    """The base of every page form."""


#: what a service may raise that a page shows to the person instead of failing
SERVICE_ERRORS = (ValidationError, DomainError)


def add_service_errors(form, error: Exception, field_map: dict[str, str] | None = None) -> None:
    """Show a service's error on ``form``.

    A ``ValidationError``'s field messages go on their field (renamed through ``field_map``;
    fields the form does not have go above the form). A domain error (``LimitExceeded``,
    ``NotPermitted``, ``UploadTooLarge``, ...) is one message above the form, and its field
    ``errors`` (e.g. ``{"file": [...]}`` of an oversize upload) also go on the fields the form
    has. Anything else is not a service's refusal and is raised again.
    """
    field_map = field_map or {}
    if isinstance(error, DomainError):
        form.add_error(None, error.detail)
        for field, messages in (error.errors or {}).items():
            target = field_map.get(field, field)
            if target in form.fields:
                form.add_error(target, messages)
        return
    if not isinstance(error, ValidationError):
        raise error
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, messages)


def error_text(error: Exception) -> str:
    """One sentence for a flash message from a service error (field names kept as a prefix)."""
    if isinstance(error, DomainError):
        return str(error.detail)
    if hasattr(error, "error_dict"):
        return " ".join(
            " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def form_error_text(form) -> str:
    """A bound form's errors as one sentence (``Label: message; ...``) for a flash message."""
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
        for name, errors in form.errors.items()
        for message in errors
    )
