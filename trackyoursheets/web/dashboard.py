"""The dashboard's cards (issue 14 point 6): a registry each app fills from its ``AppConfig.ready()``.

The dashboard page lives in ``organisations``, which may not import the apps above it; so each
app registers its own cards here (timetracking: the week and the timer; hr: documents to read,
tickets, acknowledgement coverage; payroll: commission, statements, imports ...) and every card
reads through its own app's selectors. Later features add cards the same way (approvals, leave,
payroll runs) without touching the dashboard.

A card declares the roles it is for and an ``order`` (the person's own work first: below 100;
what waits for them: 100-199; the organisation's figures: 200 and up). ``build(actor)`` returns
the card template's context, or ``None`` when the card has nothing to say to this person (no
employee record, no producer record ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["DashboardCard", "cards_for", "register_card", "registered_cards"]


@dataclass(frozen=True)
class DashboardCard:
    key: str
    title: Any  # a (lazy) translated string
    template: str
    build: Callable[[Any], dict | None]
    #: the roles the card is for (``None``: every member)
    roles: tuple[str, ...] | None = None
    order: int = 100


_CARDS: dict[str, DashboardCard] = {}


def register_card(card: DashboardCard) -> None:
    """Add (or replace, by ``key``) a card; called from an ``AppConfig.ready()``."""
    _CARDS[card.key] = card


def registered_cards() -> list[DashboardCard]:
    return sorted(_CARDS.values(), key=lambda card: (card.order, card.key))


def cards_for(actor) -> list[dict]:
    """``[{"card", "data"}]``: the cards for ``actor``'s role that have something to show, in order."""
    shown = []
    for card in registered_cards():
        if card.roles is not None and actor.role not in card.roles:
            continue
        data = card.build(actor)
        if data is None:
            continue
        shown.append({"card": card, "data": data})
    return shown
