"""A django-filter FilterSet whose per-request cost is the query string, not the class (issue 13
point 14).

django-filter deep-copies every declared filter and builds a new form class (a class and a form
field per filter) for each request. Neither varies by request here, so:

- the form class is built once per FilterSet class (unless a filter's field depends on the
  request, as a ``ModelChoiceFilter`` with a callable queryset does);
- each form still gets fields of its own, so no field is shared between requests, but copied as
  ``Field.__deepcopy__`` copies them without its generic ``copy.deepcopy`` machinery (which
  reconstructed every lazy choice label: about 0.5 ms per request for fourteen filters): the
  field, its widget, their mutable attributes (``attrs``, ``error_messages``, ``validators``).
  Lists of choices are copied, their labels shared (immutable). A field or widget class
  with a ``__deepcopy__`` of its own beyond Django's plain and choice ones is deep-copied as before;
- the filters are copied shallowly (each copy gets its own ``extra`` dict, its own
  ``parent``/``model`` and, for a ``method=`` filter, its own ``FilterMethod``), which is all a
  request changes on them.
"""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.forms.widgets import ChoiceWidget
from django.http import QueryDict
from django_filters.filters import QuerySetRequestMixin

#: the ``__deepcopy__`` methods whose work _field_for_one_form does (anything else: copy.deepcopy)
_PLAIN_FIELD_COPIES = (forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__)
_PLAIN_WIDGET_COPIES = (forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__)


def _shallow(obj):
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


def _field_for_one_form(field: forms.Field) -> forms.Field:
    """What ``copy.deepcopy(field)`` gives a form, for Django's plain and choice fields and widgets."""
    widget = field.widget
    if type(field).__deepcopy__ not in _PLAIN_FIELD_COPIES or type(widget).__deepcopy__ not in _PLAIN_WIDGET_COPIES:
        return copy.deepcopy(field)
    clone = _shallow(field)
    clone.widget = _shallow(widget)
    clone.widget.attrs = dict(widget.attrs)
    if isinstance(widget, ChoiceWidget):
        clone.widget.choices = copy.copy(widget.choices)
    if isinstance(field, forms.ChoiceField):
        clone.__dict__["_choices"] = copy.copy(field.__dict__["_choices"])
    clone.error_messages = dict(field.error_messages)
    clone.validators = list(field.validators)
    return clone


class _FieldsOfOneForm(dict):
    """A form class's ``base_fields``: ``BaseForm.__init__`` deep-copies them for each form."""

    def __deepcopy__(self, memo):
        return {name: _field_for_one_form(field) for name, field in self.items()}


class _NothingGiven:
    """The form of a filter set whose data gives none of its filters, where the form is only
    validated (``apply_filterset``): valid, with each field's value for nothing, as a real form
    cleaned it once for the FilterSet class."""

    errors: dict = {}

    def __init__(self, cleaned: dict) -> None:
        self.cleaned_data = copy.deepcopy(cleaned)

    def is_valid(self) -> bool:
        return True


class _GivenFilters:
    """The form of :meth:`BuiltOnceFilterSet.use_form_of_given_filters`: the given filters' form,
    its cleaned data merged over the empty form's (in the full form's order)."""

    def __init__(self, form: forms.Form, nothing: dict, names: list[str]) -> None:
        self.errors = form.errors
        cleaned = form.cleaned_data
        self.cleaned_data = {
            name: cleaned[name] if name in cleaned else copy.deepcopy(nothing[name])
            for name in names
            if name in cleaned or name not in form.fields
        }

    def is_valid(self) -> bool:
        return not self.errors


#: how many sets of given filter names a FilterSet class keeps a form class for
_PARTIAL_FORMS_PER_CLASS = 256


class BuiltOnceFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # FilterSet.__init__ without its deepcopy of base_filters
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        model = queryset.model
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            filter_.__dict__.pop("_field", None)  # a field of its own, built from its own extra
            if declared.method is not None:
                filter_.method = declared.method  # a FilterMethod bound to the copy, not the declaration
            filter_.model = model
            filter_.parent = self
            self.filters[name] = filter_

    def use_form_of_nothing_given(self) -> bool:
        """For a caller that only validates the form and reads ``qs`` (``apply_filterset``, never a
        page that shows the form): when the data gives none of the filters (each field's widget
        says its value was omitted: a list called with only ``page``/``page_size``), use the
        cleaned data of an empty form, cleaned once per FilterSet class, instead of building and
        cleaning a form per request (issue 13 point 14). Not when the form class depends on the
        request or the form has a prefix. Returns whether it did."""
        given = self._given_filters()
        cleaned = self._nothing_given_cleaned() if given == [] else None
        if cleaned is None:
            return False
        self._form: Any = _NothingGiven(cleaned)
        return True

    def use_form_of_given_filters(self) -> bool:
        """The same when the data gives some of the filters: a form of just the given filters'
        fields (its class built once per set of names) is built and cleaned, and every other
        filter takes the empty form's value, so a request with three of seventeen filters copies
        and cleans three fields, not seventeen. Errors are those of the given fields (an omitted
        filter cleans without one: the empty form is valid). Not when the form class has a
        form-wide ``clean`` of its own (it may read several fields). Returns whether it did."""
        given = self._given_filters()
        if not given:
            return False
        form_class: Any = self.get_form_class()
        if form_class.clean is not forms.Form.clean:
            return False
        nothing = self._nothing_given_cleaned()
        if nothing is None:
            return False
        cls = type(self)
        partials = cls.__dict__.get("_tys_partial_forms")
        if partials is None:
            partials = cls._tys_partial_forms = {}
        key = frozenset(given)
        partial_class: Any = partials.get(key)
        if partial_class is None:
            partial_class = type(f"{form_class.__name__}Of{len(given)}", (form_class,), {})
            partial_class.base_fields = _FieldsOfOneForm({name: form_class.base_fields[name] for name in given})
            if len(partials) < _PARTIAL_FORMS_PER_CLASS:  # bounded: each set of names a client sends
                partials[key] = partial_class
        form = partial_class(self.data)
        form.is_valid()
        self._form = _GivenFilters(form, nothing, list(form_class.base_fields))
        return True

    def _given_filters(self) -> list[str] | None:
        """The names of the filters the data gives (in the form's order); None where neither
        shortcut applies (an unbound or prefixed form, a form class that depends on the request)."""
        cls = type(self)
        form_class: Any = self.get_form_class()
        fields = form_class.base_fields
        if not self.is_bound or self.form_prefix or cls.__dict__.get("_tys_form_class") is not form_class:
            return None
        return [name for name, field in fields.items() if not field.widget.value_omitted_from_data(self.data, {}, name)]

    def _nothing_given_cleaned(self) -> dict | None:
        cls = type(self)
        cleaned = cls.__dict__.get("_tys_nothing_given")
        if cleaned is None:
            form = self.get_form_class()(QueryDict())
            if not form.is_valid():
                return None
            cleaned = cls._tys_nothing_given = dict(form.cleaned_data)
        return cleaned

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_tys_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
            if not any(isinstance(f, QuerySetRequestMixin) for f in self.base_filters.values()):
                cls._tys_form_class = form_class
        return form_class
