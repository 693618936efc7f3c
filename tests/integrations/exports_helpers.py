"""Helpers of the report-export tests: request an export through HTTP (its job runs in-process
after commit), fetch it, download it, parse it."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
import zlib

from openpyxl import load_workbook


def request_export(client, committed, body: dict, **extra):
    with committed():
        return client.post("/v1/reports/export", body, format="json", **extra)


def export_and_wait(client, committed, body: dict) -> dict:
    response = request_export(client, committed, body)
    assert response.status_code == 202, response.content
    detail = client.get(f"/v1/reports/exports/{response.json()['id']}")
    assert detail.status_code == 200, detail.content
    return detail.json()


def download(client, export: dict) -> bytes:
    response = client.get(f"/v1/reports/exports/{export['id']}/download")
    assert response.status_code == 200, getattr(response, "content", response)
    return b"".join(response.streaming_content)


def csv_rows(data: bytes, delimiter: str = ",") -> list[dict]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def xlsx_rows(data: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def api_list(client, url: str, params: dict | None = None) -> list[dict]:
    """Every row of a list endpoint (all pages)."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**(params or {}), "page": page, "page_size": 100})
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["pagination"]["next"]:
            return rows
        page += 1


def cell(value) -> str:
    """An API JSON value as the CSV writes it."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def pdf_text(data: bytes) -> str:
    """The text drawn in a ReportLab PDF (its content streams decoded: ASCII85, then Flate)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1).strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2])
            body = zlib.decompress(body)
        except (ValueError, zlib.error):
            continue
        out += [m.decode("latin-1") for m in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", body)]
    return " ".join(out)
