"""A django-filter FilterSet whose per-request cost is the query string, not the class (issue 13
point 14).

django-filter deep-copies every declared filter and builds a new form class (a class and a form
field per filter) for each request. Neither varies by request here, so:

- the form class is built once per FilterSet class (unless a filter's field depends on the
  request, as a ``ModelChoiceFilter`` with a callable queryset does); each form still deep-copies
  its fields, so no field is shared between requests;
- the filters are copied shallowly (each copy gets its own ``extra`` dict, its own
  ``parent``/``model`` and, for a ``method=`` filter, its own ``FilterMethod``), which is all a
  request changes on them.
"""

from __future__ import annotations

import copy

import django_filters
from django.http import QueryDict
from django_filters.filters import QuerySetRequestMixin


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

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_tys_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            if not any(isinstance(f, QuerySetRequestMixin) for f in self.base_filters.values()):
                cls._tys_form_class = form_class
        return form_class
