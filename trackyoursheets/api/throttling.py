"""Per-organisation rate limit (DESIGN §4): a fixed one-minute window in the cache.

The counter lives in Django's cache: Redis when ``REDIS_URL`` is set (``INCR`` is
atomic, so every process shares one count), process-local memory otherwise.
If Redis is configured but unreachable the request is served and the failure
logged (fail open: an outage of the limiter must not become an outage of the API).
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("trackyoursheets.api")

WINDOW_SECONDS = 60


class OrganisationRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        actor = request.auth
        if actor is None:
            return True
        limit = actor.organisation.api_rate_limit_per_minute
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        reset = int((window + 1) * WINDOW_SECONDS - now) or 1
        key = f"ratelimit:org:{actor.organisation.pk}:{window}"
        try:
            cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
            count = cache.incr(key)
        except Exception:  # the limiter is down: serve, but say so loudly
            logger.error("Rate limiter unavailable; serving without a limit", exc_info=True)
            return True
        # kept on the Django request so the middleware can add the headers to any response
        request._request.rate_limit = {"limit": limit, "remaining": max(0, limit - count), "reset": reset}
        self._wait = reset
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class RateLimitHeadersMiddleware:
    """``X-RateLimit-Limit/Remaining/Reset`` on every response that was counted (429s too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        info = getattr(request, "rate_limit", None)
        if info:
            response["X-RateLimit-Limit"] = str(info["limit"])
            response["X-RateLimit-Remaining"] = str(info["remaining"])
            response["X-RateLimit-Reset"] = str(info["reset"])
        return response
