"""Domain errors raised by services and mapped to problem responses by the API layer.

Services never build HTTP responses (STYLE §2.2); they raise these, or Django's
``ValidationError``/``PermissionDenied``/``ObjectDoesNotExist``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request that is well-formed but cannot be carried out."""

    status = 422
    slug = "unprocessable"
    title = "Request cannot be processed"

    def __init__(self, detail: str, *, errors: dict | None = None, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class LimitExceeded(DomainError):
    """A plan limit (seats, workspaces, agents per workspace) would be exceeded."""

    slug = "plan-limit"
    title = "Plan limit reached"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class NotPermitted(DomainError):
    """The person behind the credential lacks the role for this action."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"
