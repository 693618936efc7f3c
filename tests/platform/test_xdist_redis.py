"""One Redis database per pytest-xdist worker (tests/xdist_redis.py): the URL scheme, and that the
settings, the cache and the Celery broker of this worker name the same database."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.xdist_redis import url_for_worker
from trackyoursheets.celery import app as celery_app


def test_worker_n_uses_the_database_of_the_url_minus_n():
    assert url_for_worker("redis://127.0.0.1:6379/15", 0) == "redis://127.0.0.1:6379/15"
    assert url_for_worker("redis://127.0.0.1:6379/15", 1) == "redis://127.0.0.1:6379/14"
    assert url_for_worker("rediss://:pw@cache.internal:6380/3?ssl_cert_reqs=none", 2) == (
        "rediss://:pw@cache.internal:6380/1?ssl_cert_reqs=none"
    )


def test_a_url_without_enough_databases_below_it_is_refused():
    with pytest.raises(pytest.UsageError, match="database -1"):
        url_for_worker("redis://127.0.0.1:6379", 1)
    with pytest.raises(pytest.UsageError, match="database number"):
        url_for_worker("redis://127.0.0.1:6379/cache", 1)


def test_another_broker_is_left_alone():
    assert url_for_worker("amqp://guest@127.0.0.1:5672//", 1) == "amqp://guest@127.0.0.1:5672//"


@pytest.mark.requires_redis
def test_settings_cache_and_broker_of_this_worker_agree():
    url = settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == url
    assert celery_app.conf.broker_url == url
