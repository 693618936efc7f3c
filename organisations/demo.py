"""Facts about the demo organisation shared by ``manage.py seed_demo`` and the apps' demo seeds
(registered in :mod:`organisations.hooks`). Documented in README.md; change both together.
"""

from __future__ import annotations

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.trackyoursheets.test"


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"
