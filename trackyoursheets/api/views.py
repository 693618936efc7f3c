"""System endpoints: ``/v1/info`` and ``/v1/health`` (no authentication)."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import PROBLEM_CONTENT_TYPE, problem_body
from .scopes import SCOPES

logger = logging.getLogger("trackyoursheets.api")

API_VERSION = "v1"
RELEASE = "1.0.0"


class InfoView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="What this API is and where its parts live",
        auth=[],
        responses=inline_serializer(
            "Info",
            {
                "name": serializers.CharField(),
                "api_version": serializers.CharField(),
                "release": serializers.CharField(),
                "links": serializers.DictField(child=serializers.CharField()),
                "scopes": serializers.DictField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request):
        base = request.build_absolute_uri("/").rstrip("/")
        return Response(
            {
                "name": "TrackYourSheets API",
                "api_version": API_VERSION,
                "release": RELEASE,
                "links": {
                    "token": f"{base}/oauth/token",
                    "graphql": f"{base}/graphql",
                    "openapi": f"{base}/v1/schema",
                    "swagger_ui": f"{base}/api/docs",
                    "redoc": f"{base}/api/redoc",
                    "guide": f"{base}/api-guide",
                },
                "scopes": SCOPES,
            }
        )


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not_configured"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Readiness: the database, and Redis when configured",
        auth=[],
        responses=inline_serializer(
            "Health",
            {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())},
        ),
    )
    def get(self, request):
        checks: dict[str, str] = {}
        failed = []
        for name, check in (("database", _check_database), ("redis", _check_redis)):
            try:
                checks[name] = check()
            except Exception as exc:  # any failure of a dependency is "unavailable"
                logger.error("Health check %s failed: %s", name, exc)
                checks[name] = "unavailable"
                failed.append(name)
        if failed:
            body = problem_body(503, f"Unavailable: {', '.join(failed)}.", checks=checks, status_text="unavailable")
            return Response(body, status=503, content_type=PROBLEM_CONTENT_TYPE, headers={"Retry-After": "30"})
        return Response({"status": "ok", "checks": checks})
