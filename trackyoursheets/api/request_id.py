"""The request id: one per request, in the response header, logs, events and errors."""

from __future__ import annotations

import contextvars
import re
import uuid

HEADER = "X-TrackYourSheets-Request-Id"
META_KEY = "HTTP_X_TRACKYOURSHEETS_REQUEST_ID"
# A client may send its own id; we keep it when it is short and harmless in logs.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("tys_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_or_new(candidate: str | None) -> str:
    if candidate and _WELL_FORMED.match(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    return _current.get()


def set_current(value: str | None) -> contextvars.Token:
    return _current.set(value)


def reset_current(token: contextvars.Token) -> None:
    _current.reset(token)
