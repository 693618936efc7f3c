"""``GET /v1/schema``: the OpenAPI document, generated once per process rather than per request."""

from __future__ import annotations

import threading

from django.core.signals import setting_changed
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    """``GET /v1/schema``: the document is generated once per process (and version, language), not per request."""

    _cache: dict[tuple, dict] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.GET.get("lang"), self.serve_public)
        with self._lock:
            if key not in self._cache:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                self._cache[key] = generator.get_schema(request=None, public=self.serve_public)
        return Response(
            data=self._cache[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


def _forget_schema(**kwargs) -> None:
    CachedSchemaView._cache.clear()


setting_changed.connect(_forget_schema)
