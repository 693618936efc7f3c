"""What a delivery looks like on the wire: body, headers and signatures (issue 5 point 3).

Two signature headers carry the same information for two kinds of receiver:

- ``X-TrackYourSheets-Signature: t=<unix seconds>,v1=<hex>``: the hex HMAC-SHA256
  of ``"<t>.<body>"`` (the Stripe-style recipe of the API guide);
- Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` and
  ``webhook-signature: v1,<base64>``: the base64 HMAC-SHA256 of
  ``"<webhook-id>.<timestamp>.<body>"``, so off-the-shelf verifiers work.

Both use the same key: the bytes of the secret after ``whsec_``, base64-decoded.
During a rotation's 24 hours each header carries one signature per secret
(``v1=<new>,v1=<old>``; ``v1,<new> v1,<old>``). A receiver accepts the request
when any one of them matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "TrackYourSheets-Webhooks/1.0"


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def event_body(event) -> bytes:
    """The JSON body of a delivery: ``{id, topic, created_at, organisation_id, data}``, compact UTF-8."""
    document = {
        "id": event.pk,
        "topic": event.topic,
        "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organisation_id": event.organisation_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def tys_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    return hmac.new(secret_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`` (Standard Webhooks 1.0)."""
    digest = hmac.new(secret_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def delivery_headers(
    *, event_id: int, topic: str, body: bytes, secrets_: list[str], timestamp: int, delivery_id: int, attempt: int
) -> dict[str, str]:
    """Every header of one attempt; ``secrets_`` is the current secret, then the previous one in its grace."""
    message_id = str(event_id)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-TrackYourSheets-Event-Id": message_id,
        "X-TrackYourSheets-Topic": topic,
        "X-TrackYourSheets-Delivery-Id": str(delivery_id),
        "X-TrackYourSheets-Attempt": str(attempt),
        "X-TrackYourSheets-Signature": ",".join(
            [f"t={timestamp}", *(f"v1={tys_signature(s, timestamp, body)}" for s in secrets_)]
        ),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(standard_signature(s, message_id, timestamp, body) for s in secrets_),
    }
