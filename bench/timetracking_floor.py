"""The floor of bench/timetracking.py: a framework-free WSGI app that answers the same list page as
``GET /v1/time-entries`` with the same SQL (the count and the page query our view runs, captured
by the benchmark into ``TYS_FLOOR_SQL``, a JSON file) and serialises it with orjson.

It checks the bearer token with one query, as our API must, and answers the same body (every
field, the envelope with its page links) and ``Link`` header as ours (the benchmark compares the
two before measuring), but has no middleware, no framework, no ORM and no serializers: it is what
the request costs at least.

    gunicorn bench.timetracking_floor:app -w 4 -k gthread --threads 4
"""

from __future__ import annotations

import json
import math
import os
import threading
from urllib.parse import parse_qsl, urlencode

import orjson
import psycopg

_local = threading.local()
with open(os.environ["TYS_FLOOR_SQL"]) as handle:
    QUERIES = json.load(handle)


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(os.environ["TYS_FLOOR_DSN"], autocommit=True)
        _local.conn = conn
    return conn


def _page_url(environ, pairs: list[tuple[str, str]], number: int) -> str:
    """As DRF's replace_query_param / remove_query_param build it: sorted, page 1 without ``page``."""
    query = dict(pairs)
    query.pop("page", None)
    if number != 1:
        query["page"] = str(number)
    text = urlencode(sorted(query.items()), doseq=True)
    url = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}{environ.get('PATH_INFO', '')}"
    return f"{url}?{text}" if text else url


def _hours(seconds):
    if seconds is None:
        return None
    hundredths = (seconds + 18) // 36
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _formatted(seconds):
    if seconds is None:
        return None
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def app(environ, start_response):
    query_string = environ.get("QUERY_STRING", "")
    query = QUERIES.get(query_string)
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    if query is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"unknown page"}']
    pairs = parse_qsl(query_string, keep_blank_values=True)
    page_size = int(dict(pairs).get("page_size", 25))
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(QUERIES["__auth__"], [token])
        if cursor.fetchone() is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"detail":"bad token"}']
        cursor.execute(query["count_sql"], query["count_params"])
        total = cursor.fetchone()[0]
        cursor.execute(query["sql"], query["params"])
        rows = cursor.fetchall()
    results = [
        {
            "id": pk,
            "employee_id": employee_id,
            "user_id": user_id,
            "project_id": project_id,
            "task_id": task_id,
            "client_id": client_id,
            "start_time": start,
            "end_time": end,
            "duration_seconds": seconds,
            "duration_hours": _hours(seconds),
            "duration_formatted": _formatted(seconds),
            "notes": notes,
            "tags": tags,
            "billable": billable,
            "paid": paid,
            "source": source,
            "is_active": end is None,
            "created_at": created,
            "updated_at": updated,
        }
        for (
            pk,
            employee_id,
            user_id,
            project_id,
            task_id,
            client_id,
            start,
            end,
            seconds,
            notes,
            tags,
            billable,
            paid,
            source,
            created,
            updated,
        ) in rows
    ]
    total_pages = max(1, math.ceil(total / page_size))
    next_url = _page_url(environ, pairs, 2) if total_pages > 1 else None
    body = orjson.dumps(
        {
            "results": results,
            "pagination": {
                "page": 1,
                "page_size": page_size,
                "total": total,
                "total_pages": total_pages,
                "next": next_url,
                "previous": None,
            },
        }
    )
    links = ([f'<{next_url}>; rel="next"'] if next_url else []) + [
        f'<{_page_url(environ, pairs, 1)}>; rel="first"',
        f'<{_page_url(environ, pairs, total_pages)}>; rel="last"',
    ]
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Link", ", ".join(links))],
    )
    return [body]
