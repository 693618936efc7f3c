"""Webhook settings, read at call time (so tests and ``override_settings`` apply).

Every value is a setting in ``trackyoursheets/settings.py`` (from the environment);
the defaults here are the same ones, for a settings module that predates issue 5.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

#: seconds between attempts: the first retry after 2 s, the second after 8 s, the last after 32 s
DEFAULT_RETRY_SCHEDULE = (2.0, 8.0, 32.0)


@dataclass(frozen=True)
class WebhookSettings:
    retry_schedule: tuple[float, ...]
    retry_jitter: float
    timeout: float
    max_in_flight_per_organisation: int
    disable_after_failures: int
    allow_insecure_urls: bool
    allow_private_addresses: bool
    max_countdown: float
    sweep_grace: float
    sweep_batch: int
    response_body_limit: int
    #: how long a claimed delivery stays claimed: well past the timeout, so only a dead worker loses it
    lease_seconds: float


def webhook_settings() -> WebhookSettings:
    schedule = getattr(settings, "WEBHOOK_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE)
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5.0))
    return WebhookSettings(
        retry_schedule=tuple(float(s) for s in schedule),
        retry_jitter=float(getattr(settings, "WEBHOOK_RETRY_JITTER", 0.2)),
        timeout=timeout,
        max_in_flight_per_organisation=int(getattr(settings, "WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION", 50)),
        disable_after_failures=int(getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILURES", 10)),
        allow_insecure_urls=bool(getattr(settings, "WEBHOOKS_ALLOW_INSECURE_URLS", False)),
        allow_private_addresses=bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)),
        max_countdown=float(getattr(settings, "WEBHOOK_MAX_COUNTDOWN_SECONDS", 900.0)),
        sweep_grace=float(getattr(settings, "WEBHOOK_SWEEP_GRACE_SECONDS", 30.0)),
        sweep_batch=int(getattr(settings, "WEBHOOK_SWEEP_BATCH", 5000)),
        response_body_limit=int(getattr(settings, "WEBHOOK_RESPONSE_BODY_LIMIT", 2048)),
        lease_seconds=float(getattr(settings, "WEBHOOK_LEASE_SECONDS", 0) or max(60.0, timeout * 6)),
    )
