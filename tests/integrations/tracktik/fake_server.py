"""A fake TrackTik server for the tests: a real threaded HTTP server on 127.0.0.1 that behaves
as the seed (``001``) describes: the OAuth2 password grant and refresh at
``/rest/oauth2/access_token`` with expiring tokens; ``/rest/v1/<resource>`` lists in the
``{"data": [...], "meta": {"pagination": {...}}}`` envelope, paged by ``page``/``limit`` (or
``offset``), 100 at most; ``include`` expanding employee/position/client; the filters
``status``, ``startedOn:gte|lte|between``, ``client.id``, ``region.id``; ``sort`` (``-`` for
descending); ``X-RateLimit-*`` headers; ``pay-codes`` (``id``, ``code``, ``name``: assumed
fields); ``contracts`` (``id``, ``client``, ``startDate``, ``endDate``, ``status``, ``name``:
assumed fields; bill items may name one by ``contract``; ``del data["contracts"]``: a 404).
``work-sessions`` and ``break-sessions`` name their
shift by id, ``schedule-off-periods`` their employee; they filter on ``startedOn`` like the
shifts. Faults are scripted: ``fail(path, status, times,
headers=..., delay=...)`` answers the next matching requests so (429 with Retry-After, 500s, a
slow answer), ``expire_tokens()`` invalidates every access token (a token expiring mid-sync).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "tys-client"
CLIENT_SECRET = "s3cret-client"
USERNAME = "api-user"
PASSWORD = "pa55-word"
MAX_LIMIT = 100
INCLUDABLE = {"employee": "employees", "position": "positions", "client": "clients"}


@dataclass
class Fault:
    path: str
    status: int
    times: int
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    query: dict = field(default_factory=dict)


class FakeTracktik:
    def __init__(self) -> None:
        self.data: dict[str, list[dict]] = {
            "employees": [],
            "clients": [],
            "positions": [],
            "shifts": [],
            "bill-items": [],
            "work-sessions": [],
            "break-sessions": [],
            "schedule-off-periods": [],
            "pay-codes": [],
            "contracts": [],
        }
        self.tokens: dict[str, float] = {}  # access token -> expiry (time.time())
        self.refresh_tokens: set[str] = set()
        self.token_lifetime = 3600
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict]] = []  # method, path, query
        self.grants: list[str] = []  # grant types asked for
        self.rate_limit_remaining: int | None = None
        #: expire every access token when the n-th GET arrives
        self.expire_after: int | None = None
        #: keep each filtered, sorted list between its pages and each page's JSON once rendered
        #: (the benchmark, so it measures our side; tests change data in place and leave it off)
        self.cache_lists = False
        self._lists: dict = {}
        self._rendered: dict = {}
        self._index: dict = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in separate writes: without TCP_NODELAY, Nagle holds the
            # body's last segment until the client's delayed ACK (≈ 40 ms a response on Linux), a
            # stall a real server (nginx sets TCP_NODELAY) does not have
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | bytes | None, headers: dict | None = None) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, str(value))
                self.end_headers()
                self.wfile.write(raw)

            def _fault(self, path: str, query: dict) -> bool:
                with fake.lock:
                    fault = next(
                        (
                            f
                            for f in fake.faults
                            if path.startswith(f.path)
                            and f.times > 0
                            and all(query.get(k) == v for k, v in f.query.items())
                        ),
                        None,
                    )
                    if fault is not None:
                        fault.times -= 1
                if fault is None:
                    return False
                if fault.delay:
                    time.sleep(fault.delay)
                with contextlib.suppress(OSError):  # the client may have given up waiting
                    self._send(fault.status, {"message": "scripted"}, fault.headers)
                return True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                path = urlsplit(self.path).path
                fake.requests.append(("POST", path, form))
                if self._fault(path, form):
                    return
                if path != "/rest/oauth2/access_token":
                    self._send(404, {"message": "not found"})
                    return
                fake.grants.append(form.get("grant_type", ""))
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    self._send(401, {"error": "invalid_client"})
                    return
                if form.get("grant_type") == "password":
                    if form.get("username") != USERNAME or form.get("password") != PASSWORD:
                        self._send(401, {"error": "invalid_grant"})
                        return
                elif form.get("grant_type") == "refresh_token":
                    if form.get("refresh_token") not in fake.refresh_tokens:
                        self._send(400, {"error": "invalid_grant"})
                        return
                    fake.refresh_tokens.discard(form["refresh_token"])
                else:
                    self._send(400, {"error": "unsupported_grant_type"})
                    return
                access, refresh = secrets.token_hex(16), secrets.token_hex(16)
                fake.tokens[access] = time.time() + fake.token_lifetime
                fake.refresh_tokens.add(refresh)
                self._send(
                    200,
                    {
                        "access_token": access,
                        "refresh_token": refresh,
                        "token_type": "Bearer",
                        "expires_in": fake.token_lifetime,
                    },
                )

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(("GET", parts.path, query))
                if fake.expire_after is not None and len(fake.gets(None)) == fake.expire_after:
                    fake.expire_tokens()  # the token runs out in the middle of a sync
                if self._fault(parts.path, query):
                    return
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if fake.tokens.get(token, 0) < time.time():
                    self._send(401, {"message": "token expired or invalid"})
                    return
                if self.headers.get("Accept") != "application/json":
                    self._send(406, {"message": "Accept: application/json"})
                    return
                resource = parts.path.removeprefix("/rest/v1/")
                if resource not in fake.data:
                    self._send(404, {"message": "not found"})
                    return
                headers = {}
                if fake.rate_limit_remaining is not None:
                    headers = {"X-RateLimit-Remaining": fake.rate_limit_remaining, "X-RateLimit-Reset": "0.01"}
                self._send(200, fake.render(resource, query), headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTracktik:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ scripting

    def fail(self, path, status, times=1, *, headers=None, delay=0.0, query=None):
        self.faults.append(Fault(path, status, times, headers or {}, delay, query or {}))

    def expire_tokens(self) -> None:
        for token in list(self.tokens):
            self.tokens[token] = 0

    def gets(self, resource: str | None) -> list[dict]:
        return [
            q
            for method, path, q in self.requests
            if method == "GET" and (resource is None or path == f"/rest/v1/{resource}")
        ]

    # ------------------------------------------------------------------ lists

    def _find(self, resource: str, pk) -> dict | None:
        if self.cache_lists:
            if resource not in self._index:
                self._index[resource] = {row["id"]: row for row in self.data[resource]}
            return self._index[resource].get(pk)
        return next((row for row in self.data[resource] if row["id"] == pk), None)

    def render(self, resource: str, query: dict) -> bytes:
        """The JSON of a list page (kept once rendered when ``cache_lists``)."""
        if not self.cache_lists:
            return json.dumps(self.list(resource, query)).encode()
        key = (resource, tuple(sorted(query.items())))
        raw = self._rendered.get(key)
        if raw is None:
            raw = self._rendered[key] = json.dumps(self.list(resource, query)).encode()
        return raw

    def list(self, resource: str, query: dict) -> dict:
        key = (resource, tuple(sorted((k, v) for k, v in query.items() if k not in ("page", "offset", "limit"))))
        rows = self._lists.get(key) if self.cache_lists else None
        if rows is None:
            rows = self._filtered(resource, query)
            if self.cache_lists:
                self._lists[key] = rows
        return self._page(resource, rows, query)

    def _filtered(self, resource: str, query: dict) -> list[dict]:
        rows = list(self.data[resource])
        if "status" in query:
            rows = [r for r in rows if r.get("status") == query["status"]]
        if "client.id" in query:
            rows = [r for r in rows if str(r.get("client")) == query["client.id"]]
        if "region.id" in query:
            rows = [r for r in rows if str(r.get("region")) == query["region.id"]]
        if "startedOn:gte" in query:
            rows = [r for r in rows if r["startedOn"][:10] >= query["startedOn:gte"]]
        if "startedOn:lte" in query:
            rows = [r for r in rows if r["startedOn"][:10] <= query["startedOn:lte"]]
        if "startedOn:between" in query:
            low, high = query["startedOn:between"].split("|")
            rows = [r for r in rows if low <= r["startedOn"][:10] <= high]
        sort = query.get("sort")
        if sort:
            key = sort.lstrip("-")
            rows.sort(key=lambda r: (str(r.get(key)), r["id"]), reverse=sort.startswith("-"))
        return rows

    def _page(self, resource: str, rows: list[dict], query: dict) -> dict:
        limit = min(MAX_LIMIT, int(query.get("limit", 20)))
        if "offset" in query and "page" not in query:
            offset = int(query["offset"])
            page = offset // limit + 1
        else:
            page = int(query.get("page", 1))
            offset = (page - 1) * limit
        chunk = rows[offset : offset + limit]
        includes = [i for i in query.get("include", "").split(",") if i in INCLUDABLE]
        if includes:
            chunk = [
                {**row, **{i: self._find(INCLUDABLE[i], row.get(i)) or row.get(i) for i in includes}} for row in chunk
            ]
        total = len(rows)
        return {
            "data": chunk,
            "meta": {
                "pagination": {
                    "total": total,
                    "count": len(chunk),
                    "per_page": limit,
                    "current_page": page,
                    "total_pages": max(1, -(-total // limit)),
                }
            },
        }


# =============================================================================
# Data builders
# =============================================================================


def _interval(start: str, minutes: int) -> tuple[str, str]:
    began = datetime.fromisoformat(start)
    ended = began + timedelta(minutes=minutes)
    return began.strftime("%Y-%m-%dT%H:%M:%S+00:00"), ended.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def work_session(pk: int, shift_id: int, employee_id: int, start: str, minutes: int, **extra) -> dict:
    """A clock-in/clock-out of a shift (``start`` an ISO instant in UTC); ``endedOn=None``: still in."""
    began, ended = _interval(start, minutes)
    return {"id": pk, "shift": shift_id, "employee": employee_id, "startedOn": began, "endedOn": ended, **extra}


def break_session(pk: int, shift_id: int, start: str, minutes: int, *, paid: bool = False) -> dict:
    began, ended = _interval(start, minutes)
    return {"id": pk, "shift": shift_id, "startedOn": began, "endedOn": ended, "paid": paid}


def employee(pk: int, *, first="Guard", last=None, email=None, custom_id=None, status="ACTIVE") -> dict:
    return {
        "id": pk,
        "firstName": first,
        "lastName": last or f"No{pk}",
        "email": email if email is not None else f"guard{pk}@example.com",
        "customId": custom_id if custom_id is not None else f"G{pk}",
        "status": status,
    }


def client(pk: int, custom_id: str, name: str | None = None, region: int = 1) -> dict:
    return {"id": pk, "name": name or f"Site {custom_id}", "customId": custom_id, "region": region}


def position(pk: int, name: str, code: str, client_id: int) -> dict:
    return {"id": pk, "name": name, "postPositionCode": code, "client": client_id}


def shift(pk: int, employee_id: int, client_id: int, position_id: int, start: str, hours: float, **extra) -> dict:
    """``start`` is an ISO instant in UTC (``2026-11-02T08:00:00``)."""
    began = datetime.fromisoformat(start)
    ended = began + timedelta(minutes=round(hours * 60))
    return {
        "id": pk,
        "employee": employee_id,
        "client": client_id,
        "position": position_id,
        "startedOn": began.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "endedOn": ended.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "hoursCount": hours,
        "status": extra.pop("status", "APPROVED"),
        **extra,
    }


def pay_code(pk: int, code: str, name: str) -> dict:
    """A row of ``/pay-codes`` (fields assumed: the seed names the list, not its fields)."""
    return {"id": pk, "code": code, "name": name}


def off_period(pk: int, employee_id: int, first: str, last: str, kind, *, status: str = "APPROVED") -> dict:
    """Time off from ``first`` to ``last`` (days, inclusive); ``kind`` a type name or object."""
    return {"id": pk, "employee": employee_id, "startedOn": first, "endedOn": last, "type": kind, "status": status}


def contract(pk: int, client_id: int, start: str, end: str | None, *, status: str = "ACTIVE", name: str = "") -> dict:
    """A row of ``/contracts`` (fields assumed: the seed names the list, not its fields)."""
    return {
        "id": pk,
        "customId": f"C-{pk}",
        "client": client_id,
        "startDate": start,
        "endDate": end,
        "status": status,
        "name": name or f"Contract {pk}",
    }
