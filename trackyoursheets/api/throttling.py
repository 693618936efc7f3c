"""Rate limits (DESIGN §4, issue 3): per organisation and per credential.

Each policy is a one-minute window that starts with its first request. With
``REDIS_URL`` set, both counters are incremented by one Lua script, so every
gunicorn process and machine shares one exact count. Without Redis a
process-local counter is used (fine for one dev server, documented as such).

If Redis is configured but unreachable the request is **served** and an error is
logged on every such request: a limiter outage must not become an API outage.

Headers on every counted response: ``X-RateLimit-Limit/Remaining/Reset`` (the most
restrictive policy) and the IETF ``RateLimit-Policy`` / ``RateLimit`` fields.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("trackyoursheets.api")

WINDOW_SECONDS = 60

# KEYS: one counter per policy; ARGV[1]: window seconds.
# Returns {count1, ttl1, count2, ttl2, ...}, incrementing every counter in one step.
_LUA = """
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  local ttl = redis.call('TTL', key)
  if ttl < 0 then redis.call('EXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
"""


@dataclass(frozen=True)
class PolicyState:
    name: str
    limit: int
    count: int
    reset: int  # seconds until the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


# =============================================================================
# Counters
# =============================================================================


class _LocalCounter:
    """Process-local windows, for running without Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, keys: list[str]) -> list[tuple[int, int]]:
        now = time.monotonic()
        results = []
        with self._lock:
            for key in keys:
                started, count = self._windows.get(key, (now, 0))
                if now - started >= WINDOW_SECONDS:
                    started, count = now, 0
                count += 1
                self._windows[key] = (started, count)
                results.append((count, max(1, int(WINDOW_SECONDS - (now - started)))))
        return results

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class _RedisCounter:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.script = self.client.register_script(_LUA)

    def hit(self, keys: list[str]) -> list[tuple[int, int]]:
        flat = self.script(keys=keys, args=[WINDOW_SECONDS])
        return [(int(flat[i]), max(1, int(flat[i + 1]))) for i in range(0, len(flat), 2)]


class _Counters:
    """The process's counters: the in-memory one, and the Redis one for the configured URL
    (made on first use, again when ``settings.REDIS_URL`` changes)."""

    def __init__(self) -> None:
        self.local = _LocalCounter()
        self.redis: _RedisCounter | None = None

    def current(self) -> _LocalCounter | _RedisCounter:
        url = settings.REDIS_URL
        if not url:
            return self.local
        if self.redis is None or self.redis.url != url:
            self.redis = _RedisCounter(url)
        return self.redis


_counters = _Counters()
_local = _counters.local


def _counter() -> _LocalCounter | _RedisCounter:
    return _counters.current()


def reset_local_counters() -> None:
    _local.reset()


# =============================================================================
# Policies
# =============================================================================


def _policies(actor) -> list[tuple[str, str, int]]:
    """(name, counter key, limit) for each policy that applies to this actor."""
    organisation = actor.organisation
    own = actor.api_token if actor.api_token is not None else actor.application
    credential_limit = getattr(own, "rate_limit_per_minute", None) or settings.API_CREDENTIAL_RATE_LIMIT_PER_MINUTE
    return [
        ("organisation", f"tys:rl:org:{organisation.pk}", organisation.api_rate_limit_per_minute),
        ("credential", f"tys:rl:cred:{actor.credential_key}", credential_limit),
    ]


def check_rate_limit(actor) -> list[PolicyState] | None:
    """Count one request against every policy. ``None`` when the limiter is unavailable."""
    policies = _policies(actor)
    try:
        hits = _counter().hit([key for _, key, _ in policies])
    except Exception:
        logger.error("Rate limiter unavailable (Redis at REDIS_URL); serving without a limit", exc_info=True)
        return None
    return [
        PolicyState(name, limit, count, reset) for (name, _, limit), (count, reset) in zip(policies, hits, strict=True)
    ]


def rate_limit_headers(states: list[PolicyState]) -> dict[str, str]:
    tightest = min(states, key=lambda s: (s.remaining, -s.reset))
    return {
        "X-RateLimit-Limit": str(tightest.limit),
        "X-RateLimit-Remaining": str(tightest.remaining),
        "X-RateLimit-Reset": str(tightest.reset),
        "RateLimit-Policy": ", ".join(f'"{s.name}";q={s.limit};w={WINDOW_SECONDS}' for s in states),
        "RateLimit": f'"{tightest.name}";r={tightest.remaining};t={tightest.reset}',
    }


def retry_after(states: list[PolicyState]) -> int:
    return max(s.reset for s in states if s.exceeded)


class OrganisationRateThrottle(BaseThrottle):
    """DRF throttle over :func:`check_rate_limit`; GraphQL calls the same function."""

    def allow_request(self, request, view) -> bool:
        actor = request.auth
        if actor is None:
            return True
        states = check_rate_limit(actor)
        if states is None:
            return True
        # kept on the Django request so the middleware adds the headers to any response
        request._request.rate_limit_headers = rate_limit_headers(states)
        if any(s.exceeded for s in states):
            self._wait = retry_after(states)
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class RateLimitHeadersMiddleware:
    """Adds the rate-limit headers computed for this request to its response (429s too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        return response
