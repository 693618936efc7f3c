"""The shared page helpers (issue 12 point 3): one way a service's refusal reaches a page."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from trackyoursheets.exceptions import LimitExceeded
from trackyoursheets.storage import UploadTooLarge
from trackyoursheets.web import add_service_errors, error_text, form_error_text


class UploadForm(forms.Form):
    title = forms.CharField(label="Title")
    file = forms.FileField(label="File")
    offices = forms.CharField(label="Offices", required=False)


def bound() -> UploadForm:
    form = UploadForm(data={})
    form.is_valid()
    form.errors.clear()
    return form


def test_field_errors_go_on_their_fields_renamed_and_the_rest_on_top():
    form = bound()

    add_service_errors(
        form,
        ValidationError({"title": ["Too long."], "office_ids": ["Not yours."], "other": ["Odd."]}),
        {"office_ids": "offices"},
    )

    assert form.errors == {"title": ["Too long."], "offices": ["Not yours."], "__all__": ["Odd."]}


def test_a_domain_error_is_one_message_on_top_and_its_field_errors_on_the_fields():
    form = bound()

    add_service_errors(form, UploadTooLarge("The file is too big.", errors={"file": ["Larger than 10 bytes."]}))

    assert form.errors == {"__all__": ["The file is too big."], "file": ["Larger than 10 bytes."]}


def test_anything_else_is_not_a_refusal_and_is_raised():
    with pytest.raises(KeyError):
        add_service_errors(bound(), KeyError("bug"))


def test_error_text_is_one_sentence():
    assert error_text(LimitExceeded("All 3 seats are in use.")) == "All 3 seats are in use."
    assert error_text(ValidationError({"__all__": ["Overlaps."], "end": ["Before start."]})) == (
        "Overlaps. end: Before start."
    )
    assert error_text(ValidationError("Closed.")) == "Closed."


def test_form_error_text_names_the_fields():
    form = UploadForm(data={})
    form.is_valid()

    assert form_error_text(form) == "Title: This field is required.; File: This field is required."
