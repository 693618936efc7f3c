"""The demo organisation for browser tests (issue 14): seeded by the ``seed_demo`` command itself."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from organisations.management.commands.seed_demo import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "demo_members"]


@pytest.fixture
def demo_members(db) -> dict[str, str]:
    """``{role: email}`` of the seeded demo members (the password is :data:`DEMO_PASSWORD`)."""
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    facts = json.loads(out.getvalue())
    return {member["role"]: member["email"] for member in facts["members"]}
