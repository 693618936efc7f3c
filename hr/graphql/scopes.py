"""The token scopes of hr's GraphQL."""

from __future__ import annotations

READ = "hr.read"
WRITE = "hr.write"
