"""What every integrations service shares: the logger, limits, enqueueing after commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction

from trackyoursheets.celery import app as celery_app

logger = logging.getLogger("trackyoursheets.webhooks")


#: after a rotation the previous secret keeps signing (next to the new one) this long
SECRET_ROTATION_GRACE = timedelta(hours=24)


#: subscriptions per organisation (Stripe allows 16 endpoints; a handful is the norm)
MAX_SUBSCRIPTIONS_PER_ORGANISATION = 20


PING_MESSAGE = "This is a test event from TrackYourSheets."


TASKS_MODULE = "integrations.tasks"


def _enqueue(task_name: str, *args) -> bool:
    """Send a task; a broker outage (or, eagerly, a failing delivery) never undoes a committed change.

    Tasks are found by name in the Celery registry (``integrations.tasks`` is loaded by
    ``apps.py``), so this module need not import the tasks that import it. Whatever is not
    enqueued is found by the beat sweep from the database state.
    """
    try:
        celery_app.tasks[f"{TASKS_MODULE}.{task_name}"].apply_async(args=args, retry=False)
        return True
    except Exception:
        logger.warning("Could not run or enqueue %s%s; the sweep will pick it up", task_name, args, exc_info=True)
        return False


def _enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(partial(_enqueue, task_name, *args))
