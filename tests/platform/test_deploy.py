"""Production settings (issue 2): `check --deploy` is clean, and no SECRET_KEY means no start.

Each test starts a fresh ``manage.py`` so settings are read from exactly the
environment given (pytest-env relaxes the cookie/SSL settings for the suite).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
#: set by pytest.ini for the suite; a production process has none of them
RELAXED = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in RELAXED}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="api.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(secret_key):
    env = {"DEBUG": "0", "ALLOWED_HOSTS": "api.example.com"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = manage("check", **env)

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off."
        in result.stderr.splitlines()
    )
