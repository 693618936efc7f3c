"""The Celery application.

With ``REDIS_URL`` (or ``CELERY_BROKER_URL``) set, Redis is the broker and
``celery -A trackyoursheets worker`` / ``beat`` run the jobs. Without one, the
settings switch ``task_always_eager`` on so tasks run in the calling process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")

app = Celery("trackyoursheets")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
