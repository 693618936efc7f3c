"""The floor of bench/timetracking.py: a framework-free WSGI app that answers the same list page as
``GET /v1/time-entries`` with the same SQL (the count and the page query Django runs, read from
``TYS_FLOOR_SQL``, a JSON file written by the benchmark) and serialises it with orjson.

It checks the bearer token with one query, as our API must, but has no middleware, no
framework, no serializers and no pagination links: it is what the request costs at least.

    gunicorn bench.timetracking_floor:app -w 4 -k gthread --threads 4
"""

from __future__ import annotations

import datetime
import json
import os
import threading

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


def _instant(value):
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def app(environ, start_response):
    query = QUERIES.get(environ.get("QUERY_STRING", ""))
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    if query is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"unknown page"}']
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(QUERIES["__auth__"], [token])
        if cursor.fetchone() is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"detail":"bad token"}']
        cursor.execute(query["count_sql"], query["count_params"])
        total = cursor.fetchone()[0]
        cursor.execute(query["sql"], query["params"])
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        index.setdefault(name, i)  # the entry's own columns (and the extra ones) come first
    results = []
    for row in rows:
        duration = row[index["duration_seconds"]]
        results.append(
            {
                "id": row[index["id"]],
                "employee_id": row[index["employee_id"]],
                "user_id": row[index["user_id"]],
                "project_id": row[index["project_id"]],
                "task_id": row[index["task_id"]],
                "client_id": row[index["client_id"]],
                "start_time": _instant(row[index["start_time"]]),
                "end_time": _instant(row[index["end_time"]]),
                "duration_seconds": duration,
                "duration_hours": None if duration is None else f"{duration / 3600:.2f}",
                "notes": row[index["notes"]],
                "tags": row[index["tags"]],
                "billable": row[index["billable"]],
                "paid": row[index["paid"]],
                "source": row[index["source"]],
                "is_active": row[index["end_time"]] is None,
                "created_at": _instant(row[index["created_at"]]),
                "updated_at": _instant(row[index["updated_at"]]),
            }
        )
    body = orjson.dumps({"results": results, "pagination": {"page": 1, "page_size": len(results), "total": total}})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
