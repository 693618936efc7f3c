"""An HTTP client of the TrackTik REST API (the seed ``001``): the OAuth2 password grant at
``/rest/oauth2/access_token`` with a refresh before the token's expiry (and once more on a 401,
then a new password grant), the ``{"data": [...], "meta": {"pagination": {...}}}`` envelope
read page by page until ``total_pages``, ``429`` answered after ``Retry-After`` (and a pause
when ``X-RateLimit-Remaining`` reaches 0 until ``X-RateLimit-Reset``), 5xx answers and timeouts
retried with exponential backoff and jitter, then a :class:`TracktikError` with a readable reason.

Waiting goes through ``sleep`` and every wait is capped by ``max_wait`` so tests stay fast.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import orjson

TOKEN_PATH = "/rest/oauth2/access_token"
API_PREFIX = "/rest/v1"
PER_PAGE = 100
#: refresh this many seconds before the token would expire
REFRESH_MARGIN = 60
#: the documented lifetime when the server does not say
DEFAULT_EXPIRY = 3600


class TracktikError(Exception):
    """A request to TrackTik failed for good; ``str()`` is the reason a person reads."""


class TracktikUnavailable(TracktikError):
    """The server has no such resource (404) or the user may not read it (403)."""


@dataclass
class RetryPolicy:
    attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    #: the longest single wait (Retry-After, rate-limit reset, backoff)
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: up to base × 2^attempt, capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return min(self.max_wait, ceiling * (0.5 + self.jitter() / 2))

    def wait(self, seconds: float) -> None:
        seconds = max(0.0, min(self.max_wait, seconds))
        if seconds:
            self.sleep(seconds)


@dataclass
class Page:
    rows: list[dict]
    page: int
    total_pages: int
    total: int


@dataclass
class TracktikClient:
    base_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(20.0, connect=5.0))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], float] = time.monotonic
    access_token: str = ""
    refresh_token: str = ""
    expires_at: float = 0.0
    #: how many token requests were made (password grants, refreshes): tests read them
    grants: int = 0
    refreshes: int = 0

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        #: one renewal at a time when pages are read concurrently (``concurrent_pages``)
        self._token_lock = threading.Lock()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            headers={"Accept": "application/json", "User-Agent": "TrackYourSheets-TrackTik/1"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TracktikClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ tokens

    def _token_request(self, data: dict) -> httpx.Response:
        return self._send("POST", TOKEN_PATH, data=data, authenticated=False)

    def _store_tokens(self, response: httpx.Response) -> None:
        try:
            body = response.json()
            self.access_token = body["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TracktikError("TrackTik answered the token request without an access token.") from exc
        self.refresh_token = body.get("refresh_token") or ""
        expires_in = body.get("expires_in") or DEFAULT_EXPIRY
        self.expires_at = self.clock() + float(expires_in)

    def authenticate(self) -> None:
        """The OAuth2 password grant."""
        self.grants += 1
        response = self._token_request(
            {
                "grant_type": "password",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "username": self.username,
                "password": self.password,
            }
        )
        if response.status_code != 200:
            raise TracktikError(
                f"TrackTik refused the credentials (HTTP {response.status_code}): check the client id, "
                "client secret, username and password."
            )
        self._store_tokens(response)

    def refresh(self) -> None:
        """The refresh grant; a new password grant when there is no refresh token or it is refused."""
        if not self.refresh_token:
            self.authenticate()
            return
        self.refreshes += 1
        response = self._token_request(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
        )
        if response.status_code != 200:
            self.authenticate()
            return
        self._store_tokens(response)

    def _ensure_token(self) -> None:
        if not self.access_token:
            self.authenticate()
        elif self.clock() >= self.expires_at - REFRESH_MARGIN:
            self.refresh()

    # ------------------------------------------------------------------ requests

    def _send(self, method: str, path: str, *, authenticated: bool = True, **kwargs) -> httpx.Response:
        """One request with the retry rules; 401 → refresh once, then a new password grant."""
        attempt = 0
        renewed = 0
        while True:
            headers = {}
            token = ""
            if authenticated:
                with self._token_lock:
                    self._ensure_token()
                    token = self.access_token
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                reason = f"TrackTik did not answer {path} in time ({type(exc).__name__})"
                response = None
            except httpx.TransportError as exc:
                reason = f"Could not reach TrackTik at {self.base_url}: {exc}"
                response = None
            if response is not None:
                if response.status_code == 401 and authenticated and renewed < 2:
                    # first: the refresh token; second: a new password grant (unless another
                    # thread renewed the token meanwhile: then try again with the new one)
                    with self._token_lock:
                        if self.access_token == token:
                            if renewed == 0:
                                self.refresh()
                            else:
                                self.authenticate()
                    renewed += 1
                    continue
                if response.status_code == 429:
                    attempt += 1
                    if attempt >= self.retry.attempts:
                        raise TracktikError(f"TrackTik kept rate-limiting {path} (HTTP 429) after {attempt} tries.")
                    self.retry.wait(_seconds(response.headers.get("Retry-After"), default=1.0))
                    continue
                if response.status_code < 500:
                    self._respect_rate_limit(response)
                    return response
                reason = f"TrackTik answered {path} with HTTP {response.status_code}"
            attempt += 1
            if attempt >= self.retry.attempts:
                raise TracktikError(f"{reason}; gave up after {attempt} tries.")
            self.retry.wait(self.retry.backoff(attempt))

    def _respect_rate_limit(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining")
        if remaining is None or remaining.strip() not in ("0", "0.0"):
            return
        reset = _seconds(response.headers.get("X-RateLimit-Reset"), default=1.0)
        if reset > 1_000_000_000:  # an epoch timestamp rather than a number of seconds
            reset = reset - time.time()
        self.retry.wait(reset)

    def get(self, path: str, params: dict | None = None) -> dict:
        response = self._send("GET", f"{API_PREFIX}{path}", params=params or {})
        if response.status_code == 404:
            raise TracktikUnavailable(f"TrackTik has no {path} (HTTP 404).")
        if response.status_code == 403:
            raise TracktikUnavailable(f"The TrackTik user may not read {path} (HTTP 403).")
        if response.status_code >= 400:
            raise TracktikError(f"TrackTik refused {path} (HTTP {response.status_code}).")
        try:
            return orjson.loads(response.content)
        except ValueError as exc:
            raise TracktikError(f"TrackTik answered {path} with something that is not JSON.") from exc

    def pages(self, path: str, params: dict | None = None, *, start_page: int = 1) -> Iterator[Page]:
        """Every page of a list, ``PER_PAGE`` rows at a time, until ``meta.pagination.total_pages``."""
        page = start_page
        while True:
            found = self._page(path, params, page)
            yield found
            if page >= found.total_pages or not found.rows:
                return
            page += 1

    def _page(self, path: str, params: dict | None, page: int) -> Page:
        body = self.get(path, {**(params or {}), "limit": PER_PAGE, "page": page})
        rows = body.get("data")
        if not isinstance(rows, list):
            raise TracktikError(f"TrackTik answered {path} without a data list.")
        pagination = (body.get("meta") or {}).get("pagination") or {}
        total_pages = int(pagination.get("total_pages") or 1)
        return Page(rows=rows, page=page, total_pages=total_pages, total=int(pagination.get("total") or len(rows)))

    def concurrent_pages(self, path: str, params: dict | None = None, *, workers: int = 4) -> Iterator[Page]:
        """:meth:`pages` in order, with up to ``2 × workers`` of the following pages requested at
        once by a small thread pool once the first page has said how many there are: the server's
        work and the transfers overlap each other and the caller's (its database writes). A page
        that fails for good raises when its turn comes, after the pages before it."""
        first = self._page(path, params, 1)
        yield first
        total = first.total_pages
        if total <= 1 or not first.rows:
            return
        pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="tracktik-page")
        pending: deque = deque()
        following = 2
        try:
            while True:
                while following <= total and len(pending) < 2 * max(1, workers):
                    pending.append(pool.submit(self._page, path, params, following))
                    following += 1
                if not pending:
                    return
                page = pending.popleft().result()
                total = max(total, page.total_pages)
                yield page
                if not page.rows:
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def test(self) -> dict:
        """Authenticate and read one employee: proves the URL and the credentials."""
        self.authenticate()
        body = self.get("/employees", {"limit": 1, "page": 1})
        pagination = (body.get("meta") or {}).get("pagination") or {}
        return {"employees": int(pagination.get("total") or len(body.get("data") or []))}


def _seconds(value: str | None, *, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default
