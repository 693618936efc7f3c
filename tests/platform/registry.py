"""The shared harnesses' registry: each app lists what it adds to the cross-tenant matrix,
the query-count guard and the GraphQL tenancy matrix in its own ``tests/<app>/matrix.py``.

A matrix module may define any of:

- ``RESOURCES``: :class:`Resource` rows for tests/platform/test_tenancy_matrix.py;
- ``NON_OBJECT_ROUTES``: /v1/ routes (without the ``v1/`` prefix) that hold no per-object data;
- ``LISTS``: ``(list URL, make(organisation, n))`` rows for tests/platform/test_query_counts.py;
- ``GRAPHQL_NODES``: :class:`Node` rows for tests/platform/test_graphql_tenancy.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

#: the test packages that contribute a ``matrix`` module, in the order their rows run
MATRIX_PACKAGES = ("payroll", "timetracking", "hr", "integrations", "integrations.tracktik")


@dataclass(frozen=True)
class Resource:
    name: str
    list_url: str
    make: Callable  # make(organisation) -> model instance
    #: (method, path after the detail URL, JSON body) for every write on one object
    mutations: tuple = ()
    detail: bool = True
    #: further routes (as ``path/{id}/...``) whose tenancy this resource's tests prove
    covers: tuple[str, ...] = field(default_factory=tuple)
    #: makes an object its DELETE accepts, where ``make``'s object is in a state that refuses it
    make_deletable: Callable | None = None


@dataclass(frozen=True)
class Node:
    type_name: str
    make: Callable
    list_field: str
    detail_field: str


def collect(name: str) -> list:
    """Every package's ``name`` list, concatenated (a package without a matrix module adds nothing)."""
    rows: list = []
    for package in MATRIX_PACKAGES:
        try:
            module = importlib.import_module(f"tests.{package}.matrix")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{package}", f"tests.{package}.matrix"):
                raise
            continue
        rows.extend(getattr(module, name, ()))
    return rows
