"""The plan table: what each plan allows.

Plans live in code (not the database) so the landing page, the API and the
limit checks read one source. Limits are hard caps, unlike the original product
where ``max_users`` was never enforced (reference §4.6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanCode(models.TextChoices):
    STARTER = "starter", _("Starter")
    GROWTH = "growth", _("Growth")
    SCALE = "scale", _("Scale")


#: Every feature toggle an organisation can have; plans set the defaults and an
#: organisation may switch a feature off (or on, when its plan includes it). Only what works
#: today is listed (issue 13 point 13): payroll runs add their toggle when they land; the
#: TrackTik connector's came with issue 19.
FEATURES = (
    "api",
    "graphql",
    "webhooks",
    "producer_portal",
    "time_tracking",
    "hr",
    "tracktik",
)


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    price_per_seat: Decimal
    max_seats: int
    max_workspaces: int
    max_agents_per_workspace: int
    features: frozenset[str] = field(default_factory=frozenset)
    summary: str = ""


PLANS: dict[str, Plan] = {
    PlanCode.STARTER: Plan(
        code=PlanCode.STARTER,
        name="Starter",
        price_per_seat=Decimal("19.99"),
        max_seats=5,
        max_workspaces=3,
        max_agents_per_workspace=5,
        features=frozenset({"api", "graphql", "producer_portal", "time_tracking", "hr"}),
        summary="A small agency getting its commissions and time in one place.",
    ),
    PlanCode.GROWTH: Plan(
        code=PlanCode.GROWTH,
        name="Growth",
        price_per_seat=Decimal("24.99"),
        max_seats=25,
        max_workspaces=15,
        max_agents_per_workspace=15,
        features=frozenset({"api", "graphql", "webhooks", "producer_portal", "time_tracking", "hr"}),
        summary="Several offices, with webhooks into your finance and HR systems.",
    ),
    PlanCode.SCALE: Plan(
        code=PlanCode.SCALE,
        name="Scale",
        price_per_seat=Decimal("49.99"),
        max_seats=250,
        max_workspaces=100,
        max_agents_per_workspace=50,
        features=frozenset(FEATURES),
        summary="Multi-office agencies and service firms with the highest limits and full API access.",
    ),
}


def get_plan(code: str) -> Plan:
    return PLANS[code]
