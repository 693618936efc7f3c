"""The API's JSON renderer: DRF's output, encoded by orjson (issue 13 point 14).

The same JSON as ``rest_framework.renderers.JSONRenderer`` with its defaults (compact, UTF-8,
datetimes in ISO 8601 with ``Z`` for UTC, decimals, UUIDs, lazy strings and the rest through DRF's
encoder), several times faster on a page of 100 rows. A request for indented JSON
(``Accept: application/json; indent=4``) is rendered by DRF as before.
"""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_FALLBACK = JSONEncoder()
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value):
    """What orjson does not encode itself (Decimal, lazy strings, timedelta, querysets …), as
    DRF's encoder does; its answer may need DRF again (a generator of decimals)."""
    encoded = _FALLBACK.default(value)
    if isinstance(encoded, tuple | set | frozenset):
        return list(encoded)
    return encoded


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_default, option=_OPTIONS)
