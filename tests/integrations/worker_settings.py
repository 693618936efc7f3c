"""Settings of the Celery worker, beat and server processes the delivery tests start.

The production settings with what the tests need: the receiver is plain HTTP on
127.0.0.1, retries are short, and the sweep runs every second without a grace.
"""

import os

from trackyoursheets.settings import *  # noqa: F403

WEBHOOKS_ALLOW_INSECURE_URLS = True
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_RETRY_SCHEDULE = [0.2, 0.4, 0.8]
WEBHOOK_TIMEOUT_SECONDS = 2.0
WEBHOOK_LEASE_SECONDS = 3.0
WEBHOOK_SWEEP_GRACE_SECONDS = 0.0
WEBHOOK_DISABLE_AFTER_FAILURES = 100
WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION = int(os.environ.get("TEST_WEBHOOK_MAX_IN_FLIGHT", "50"))
CELERY_TASK_ALWAYS_EAGER = False
# as in trackyoursheets/settings.py (issue 5): a publish fails fast while the broker is down
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE = {
    "webhook-delivery-sweep": {"task": "integrations.tasks.webhook_delivery_sweep_task", "schedule": 1.0},
}
