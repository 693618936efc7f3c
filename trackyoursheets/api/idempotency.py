"""``Idempotency-Key`` for every POST, PUT and PATCH under /v1/ and on /graphql (issue 3).

One mechanism, as middleware, so every endpoint (now and later) and GraphQL
mutations share it:

- the key belongs to the *credential* (OAuth client + organisation, personal token,
  or session user), not to the short-lived access token, so a retry after a token
  refresh still replays;
- claiming a key inserts a row under a unique constraint, in its own committed
  transaction: of twenty concurrent requests with one key exactly one runs;
- a finished request's status, body and key headers are stored for 24 hours and
  replayed with ``Idempotent-Replayed: true``;
- the same key with a different request is a 422 problem; with the first request
  still running, a 409 problem; a 5xx answer releases the key so the retry can run;
- a claim whose process died is taken over once its in-flight lock (5 minutes) lapses;
- expired keys are deleted by a beat task (:func:`idempotency_keys_purge_task`, issue 13),
  not only when the same key comes back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions as drf_exceptions

from organisations.models import IdempotencyRecord

from .authentication import actor_from_django_request
from .errors import problem_response
from .middleware import is_api_path

logger = logging.getLogger("trackyoursheets.api")

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
METHODS = frozenset({"POST", "PUT", "PATCH"})
RETENTION = timedelta(hours=24)
IN_FLIGHT_LOCK = timedelta(minutes=5)
REPLAYED_HEADERS = ("Content-Type", "Location", "Preference-Applied", "ETag", "Link")
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
#: views set ``response.secret_fields = ("token",)`` on answers that show a secret once (issue 3)
SECRET_FIELDS_ATTRIBUTE = "secret_fields"
#: rows deleted per statement by the purge (keeps each DELETE short)
PURGE_BATCH = 5000


def idempotency_keys_purge() -> int:
    """Delete every key past its 24 hours (a key still in flight keeps its row until then)."""
    now = timezone.now()
    deleted = 0
    while True:
        batch = list(IdempotencyRecord.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=batch, expires_at__lte=now).delete()[0]


@shared_task(name="trackyoursheets.api.idempotency.idempotency_keys_purge_task")
def idempotency_keys_purge_task() -> int:
    """Beat (``CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]``): expired Idempotency-Keys go."""
    deleted = idempotency_keys_purge()
    if deleted:
        logger.info("Deleted %s expired idempotency keys", deleted)
    return deleted


def request_fingerprint(request) -> str:
    """A digest of what the request asks for: method, path, query and body (JSON key order ignored)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):
        for key in sorted(request.POST):
            digest.update(f"{key}={request.POST.getlist(key)}\n".encode())
        for key in sorted(request.FILES):
            for upload in request.FILES.getlist(key):
                digest.update(f"{key}:{upload.name}:{upload.size}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        body = request.body
        if content_type.startswith("application/json"):
            # malformed JSON: fingerprint the raw bytes; the view answers 400
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                body = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
        digest.update(body)
    return digest.hexdigest()


def _actor_or_none(request):
    try:
        return actor_from_django_request(request)
    except drf_exceptions.APIException:
        return None  # the view gives the authentication/permission answer


def _problem(status: int, detail: str, slug: str, title: str):
    return problem_response(status, detail, slug=slug, title=title)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(META_KEY)
        if key is None or request.method not in METHODS or not is_api_path(request.path):
            return self.get_response(request)
        if request.path.startswith("/oauth/"):
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return problem_response(
                400,
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                slug="invalid-idempotency-key",
                title="Invalid Idempotency-Key",
                errors={HEADER: ["Must be 1 to 255 visible ASCII characters."]},
            )
        actor = _actor_or_none(request)
        if actor is None:
            return self.get_response(request)

        fingerprint = request_fingerprint(request)
        outcome = self._claim(actor, key, fingerprint, request)
        if isinstance(outcome, HttpResponse):
            return outcome
        record = outcome
        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        self._finish(record, response)
        return response

    # -------------------------------------------------------------------------

    def _claim(self, actor, key: str, fingerprint: str, request):
        now = timezone.now()
        credential = actor.credential_key
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(
                        organisation=actor.organisation,
                        credential=credential,
                        key=key,
                        fingerprint=fingerprint,
                        method=request.method,
                        path=request.path[:500],
                        locked_until=now + IN_FLIGHT_LOCK,
                        expires_at=now + RETENTION,
                        request_id=getattr(request, "request_id", ""),
                    )
            except IntegrityError:
                existing = IdempotencyRecord.objects.filter(credential=credential, key=key).first()
                if existing is None:
                    continue  # released between our insert and our read: try again
                if existing.expires_at <= now:
                    IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
                    continue
                return self._answer_existing(existing, fingerprint, now)
        return _problem(
            409,
            "This Idempotency-Key is being used by another request; retry shortly.",
            "idempotency-in-progress",
            "Request in progress",
        )

    def _answer_existing(self, existing: IdempotencyRecord, fingerprint: str, now):
        if existing.fingerprint != fingerprint:
            return _problem(
                422,
                "This Idempotency-Key was used with a different request. Use a new key for a new request.",
                "idempotency-key-reused",
                "Idempotency-Key reused",
            )
        if existing.state == IdempotencyRecord.State.IN_PROGRESS:
            if existing.locked_until > now:
                return _problem(
                    409,
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    "idempotency-in-progress",
                    "Request in progress",
                )
            # the first attempt died without answering: take its claim over
            taken = IdempotencyRecord.objects.filter(pk=existing.pk, locked_until__lte=now).update(
                locked_until=now + IN_FLIGHT_LOCK
            )
            if taken:
                existing.refresh_from_db()
                return existing
            return _problem(
                409,
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                "idempotency-in-progress",
                "Request in progress",
            )
        return self._replay(existing)

    def _replay(self, record: IdempotencyRecord) -> HttpResponse:
        response = HttpResponse(bytes(record.response_body or b""), status=record.response_status)
        for name, value in record.response_headers.items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response

    def _finish(self, record: IdempotencyRecord, response) -> None:
        if response.status_code >= 500 or getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.COMPLETED,
            response_status=response.status_code,
            response_body=_without_secrets(response.content, getattr(response, SECRET_FIELDS_ATTRIBUTE, ())),
            response_headers=headers,
        )


def _without_secrets(content: bytes, fields) -> bytes:
    """A secret shown once (a new token) is never stored: its replay carries ``null`` instead."""
    if not fields:
        return content
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return b""
    if isinstance(data, dict):
        data.update({name: None for name in fields if name in data})
    return json.dumps(data, separators=(",", ":")).encode()
