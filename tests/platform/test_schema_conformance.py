"""The OpenAPI schema matches the server (issue 13 point 9): schemathesis over the whole schema.

Runs once in CI, on the PostgreSQL pass (``requires_postgres``): a live server with an organisation
that has data, an OAuth token with every scope, and ``st run`` with the examples and fuzzing phases,
a capped number of examples per operation and the four conformance checks. Any failure fails the test
and prints schemathesis' report (each failure with a curl line to reproduce it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ALL_SCOPES, issue_token
from tests.organisations.factories import OAuthApplicationFactory

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]

ST = Path(sys.executable).with_name("st")
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
#: generated cases per operation and phase: the run stays within a few minutes on 2 cores
MAX_EXAMPLES = 6
#: what the run does not cover yet (empty: the whole schema); each entry an ``--exclude-...`` option
EXCLUDED: list[str] = []


@pytest.fixture
def token(organisation, settings):
    settings.API_DEFAULT_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.API_CREDENTIAL_RATE_LIMIT_PER_MINUTE = 1_000_000
    application = OAuthApplicationFactory(organisation=organisation, scopes=" ".join(ALL_SCOPES))
    return issue_token(application)


def test_schemathesis_finds_no_failure_over_the_whole_schema(live_server, token, tmp_path):
    command = [
        str(ST),
        "run",
        f"{live_server.url}/v1/schema?format=json",
        "--url",
        live_server.url,
        "--checks",
        CHECKS,
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "13",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--header",
        f"Authorization: Bearer {token}",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        *EXCLUDED,
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=900, cwd=tmp_path)

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
