"""Which address a request comes from (issue 13 point 7: personal tokens' IP allowlists).

``REMOTE_ADDR`` unless ``API_TRUSTED_PROXY_COUNT`` says how many reverse proxies (that each
append to ``X-Forwarded-For``) stand in front of the application: then the address the
outermost of them saw, counted from the right of ``X-Forwarded-For``, because every entry
left of it may have been written by the client itself. With too few entries, ``REMOTE_ADDR``.
"""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    proxies = getattr(settings, "API_TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
