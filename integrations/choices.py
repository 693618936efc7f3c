"""Choices of the integrations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    """Where one event's delivery to one subscription stands (issue 5 point 4)."""

    PENDING = "pending", _("Pending")  # waiting for its (next) attempt at ``next_attempt_at``
    DELIVERING = "delivering", _("Delivering")  # claimed by a worker; the lease says until when
    DELIVERED = "delivered", _("Delivered")  # the receiver answered 2xx
    FAILED = "failed", _("Failed")  # retries exhausted or refused; can be redelivered


class AttemptOutcome(models.TextChoices):
    SUCCESS = "success", _("Success (2xx)")
    HTTP_ERROR = "http_error", _("Error status")  # non-2xx, including 3xx: redirects are never followed
    TIMEOUT = "timeout", _("Timed out")
    NETWORK_ERROR = "network_error", _("Network error")  # refused connection, DNS, TLS
    REFUSED = "refused", _("Refused by policy")  # SSRF: private address or plain HTTP not allowed
    INTERRUPTED = "interrupted", _("Interrupted")  # the worker stopped mid-attempt; its lease ran out
