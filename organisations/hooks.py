"""Hooks: how ``organisations`` (a lower layer) triggers the apps above it (issue 12 point 2).

``organisations`` imports no domain app. Where it must set something off in one (an accepted
invitation that may create an HR employee, ``manage.py seed_demo`` filling every area), it
calls the functions the higher apps registered here from their ``AppConfig.ready()``. No
Django signals: a registry is explicit, ordered and easy to find with grep.

Registries:

- :func:`register_demo_seed` — ``seed(organisation)`` of an area's demo data, run by
  ``seed_demo`` after the organisation, its offices, workspaces, members and producers
  exist, lowest ``order`` first (the HR directory first: the others use it).
- :func:`register_member_joined` — ``hook(membership)`` called inside the transaction of
  :func:`organisations.services.invitation_accept`, once the membership is active.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DemoSeed",
    "register_demo_seed",
    "demo_seeds",
    "register_member_joined",
    "member_joined",
]

# =============================================================================
# Demo data (manage.py seed_demo)
# =============================================================================


@dataclass(frozen=True)
class DemoSeed:
    order: int
    seed: Callable[[object], None]

    @property
    def name(self) -> str:
        return f"{self.seed.__module__}.{self.seed.__qualname__}"


_DEMO_SEEDS: dict[str, DemoSeed] = {}


def register_demo_seed(seed: Callable[[object], None], *, order: int) -> None:
    """Add an area's idempotent ``seed(organisation)``; registering the same function again replaces it."""
    entry = DemoSeed(order=order, seed=seed)
    _DEMO_SEEDS[entry.name] = entry


def demo_seeds() -> list[DemoSeed]:
    """The registered seeds, in order (ties by name, so the order never depends on app loading)."""
    return sorted(_DEMO_SEEDS.values(), key=lambda entry: (entry.order, entry.name))


# =============================================================================
# Membership lifecycle
# =============================================================================

_MEMBER_JOINED: list[Callable[[object], None]] = []


def register_member_joined(hook: Callable[[object], None]) -> None:
    """Call ``hook(membership)`` when an invited member accepts (inside the same transaction)."""
    if hook not in _MEMBER_JOINED:
        _MEMBER_JOINED.append(hook)


def member_joined(membership) -> None:
    for hook in _MEMBER_JOINED:
        hook(membership)
