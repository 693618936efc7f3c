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


# =============================================================================
# Statement imports (issue 6 point 3)
# =============================================================================


class ImportSource(models.TextChoices):
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("Excel workbook")
    JSON = "json", _("JSON payouts")


class ImportStatus(models.TextChoices):
    """Where a batch stands: queued -> processing -> review -> finalised or rolled back;
    failed when the file itself cannot be read; split when its rows went to one batch per carrier."""

    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    REVIEW = "review", _("Ready for review")
    FINALISED = "finalised", _("Finalised")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")
    SPLIT = "split", _("Split by carrier")


class RowStatus(models.TextChoices):
    """The match status of one statement row."""

    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")  # waits in the exception queue
    DUPLICATE = "duplicate", _("Duplicate")  # already imported (or twice in the file): skipped
    ERROR = "error", _("Error")  # could not be read: the reasons name the line
    SKIPPED = "skipped", _("Skipped")  # a person left it out of the ledger


class MatchMethod(models.TextChoices):
    """How a row's producer was found (the confidence follows from it)."""

    NONE = "", _("Not matched")
    ALIAS = "alias", _("Learned alias")
    PRODUCER_CODE = "producer_code", _("Producer code")
    EMAIL = "email", _("Producer email")
    NAME = "name", _("Producer name")
    POLICY = "policy", _("Policy's writing producers")
    ONLY_PRODUCER = "only_producer", _("The workspace's only producer")
    PERSON = "person", _("Matched by a person")


class AliasKind(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    POLICY = "policy", _("Policy")
    CARRIER = "carrier", _("Carrier")


#: statuses in which a batch can still change (rows matched, finalised or rolled back)
IMPORT_OPEN_STATUSES = frozenset({ImportStatus.REVIEW})
#: rows that stop a batch from being finalised until a person matches or skips them
ROW_NEEDS_ATTENTION = frozenset({RowStatus.UNMATCHED, RowStatus.ERROR})
