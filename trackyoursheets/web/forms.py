"""The one form-error helper of every page (issue 12 point 3).

Services raise ``ValidationError`` or a :class:`~trackyoursheets.exceptions.DomainError`; a page
shows the refusal on its form (:func:`add_service_errors`) or, for one-button actions, as one
flash sentence (:func:`error_text`). Nothing else turns a service error into page text.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from trackyoursheets.exceptions import DomainError

__all__ = ["SERVICE_ERRORS", "add_service_errors", "error_text", "form_error_text"]

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
