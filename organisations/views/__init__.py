"""Pages of the app shell (``/app/``), one module per area:

- :mod:`.shell`        login/logout, password reset, dashboard, organisation switcher;
- :mod:`.team`         members and invitations;
- :mod:`.console`      organisation settings, offices and workspaces, producers;
- :mod:`.integrations` OAuth clients and personal API tokens;
- :mod:`.account`      the member's own settings (their timezone).

Every page view builds on :class:`trackyoursheets.web.MemberPageMixin` (issue 12): the one
place where a page finds its actor (the session user in their chosen organisation) and checks
the ``allowed_roles`` it declares; the navigation reads the same attribute.
"""

from __future__ import annotations

from organisations.choices import OWNER_ADMIN
from trackyoursheets.web import MemberPageMixin, forbidden

# compat: payroll until the issue-12 merge (payroll and integrations/import_views import these from here)
__all__ = ["OWNER_ADMIN", "MemberPageMixin", "forbidden"]
