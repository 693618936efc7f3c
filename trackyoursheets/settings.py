"""Settings for TrackYourSheets.

One settings module (STYLE §6). Every deploy-specific value comes from the
environment with a default that works on a fresh machine:

- no ``DATABASE_URL``  -> a SQLite file in ``var/`` (WAL mode);
- no ``REDIS_URL``     -> local-memory cache, Celery runs tasks eagerly in-process;
- no ``SECRET_KEY``    -> with ``DEBUG`` on, a key generated once and kept in ``var/``;
                          with ``DEBUG`` off the process refuses to start.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# =============================================================================
# CORE
# =============================================================================

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A development key, generated on first use and kept out of the repository."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _local_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "graphene_django",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # our apps
    "organisations",
    "payroll",
    "hr",
    "timetracking",
    "integrations",
    "integrations.tracktik",
]

MIDDLEWARE = [
    "trackyoursheets.api.middleware.RequestIdMiddleware",
    # one body-size rule (issue 13 point 2): refused before anything reads the body
    "trackyoursheets.api.middleware.BodySizeMiddleware",
    # issue 13: audits every impersonation request once its answer is final (problems included)
    "trackyoursheets.api.impersonation.ImpersonationAuditMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "trackyoursheets.api.middleware.ProblemDetailsMiddleware",
    "trackyoursheets.api.throttling.RateLimitHeadersMiddleware",
    "trackyoursheets.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "trackyoursheets.urls"
WSGI_APPLICATION = "trackyoursheets.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # every page's builtins, no {% load %}: the money/duration/hours filters (issue 14 point 5)
            # and ``{{ code|label }}``, labels instead of codes (issue 14 point 9)
            "builtins": ["trackyoursheets.web.templatetags", "trackyoursheets.web.labels"],
        },
    },
]

AUTH_USER_MODEL = "organisations.User"
# The model whose rows are the tenants (read by trackyoursheets.admin, which imports no app).
TENANT_MODEL = "organisations.Organisation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/app/login"
LOGIN_REDIRECT_URL = "/app/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# =============================================================================
# DATABASES
# =============================================================================

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'trackyoursheets.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a request writes; IMMEDIATE transactions
    # take the write lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # No health check (a ``SELECT 1`` before the first query of every request, issue 13 point 14).
    # The trade-off: after PostgreSQL restarts or drops an idle connection, one request per worker
    # thread fails with a 500 and Django closes the broken connection at the end of it (it closes
    # any connection whose request raised a database error); the next request reconnects.
    # DATABASE_CONN_MAX_AGE (60 s) keeps connections younger than any idle timeout we configure.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)

# The statements every API request runs with the same text (the bearer token, a time-entry list's
# count and page) are prepared on PostgreSQL: planned once per connection (trackyoursheets.db.
# prepared_cursor). Turn off behind a transaction-mode pooler that does not track prepared
# statements (PgBouncer before 1.21). After a migration changes those tables, a worker's kept
# connection may fail one such statement ("cached plan must not change result type"); restart
# the workers with a deploy, as for any schema change.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

# =============================================================================
# CACHE / REDIS
# =============================================================================

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tys",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# =============================================================================
# CELERY
# =============================================================================

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker every task runs in-process, so a fresh checkout works (DESIGN §5).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# A publish fails at once while the broker is down (the default retries for ~6 s inside the
# request); what was not enqueued waits in the database for the beat sweep (issue 5).
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE: dict = {
    # issue 5: re-enqueue undispatched events and overdue webhook deliveries (broker outage, dead worker)
    "webhook-delivery-sweep": {"task": "integrations.tasks.webhook_delivery_sweep_task", "schedule": 60.0},
    # issue 12: fail (or re-queue, where safe) background jobs whose worker stopped sending heartbeats
    "jobs-stale-sweep": {"task": "trackyoursheets.jobs.jobs_stale_sweep_task", "schedule": 300.0},
    # issue 13: delete Idempotency-Keys past their 24 hours
    "idempotency-keys-purge": {
        "task": "trackyoursheets.api.idempotency.idempotency_keys_purge_task",
        "schedule": 3600.0,
    },
    # issue 15: remind employees whose timesheet is still open two days after the period ended
    # (hourly, as "two days after" is in each employee's timezone; one email per timesheet)
    "timesheet-reminders": {"task": "timetracking.tasks.timesheet_reminders_task", "schedule": 3600.0},
    # issue 16: leave accruals, annual grants, year-end carry-over and expiry (idempotent: keyed rows)
    "leave-accruals": {"task": "hr.tasks.leave_accruals_task", "schedule": 3600.0},
    # issue 17: delete the files of report exports past their expiry
    "report-exports-expire": {"task": "integrations.exports.tasks.report_exports_expire_task", "schedule": 900.0},
    # issue 19: start the TrackTik syncs whose connection's schedule has come round
    "tracktik-sync-due": {"task": "integrations.tracktik.tasks.tracktik_sync_due_task", "schedule": 300.0},
}
# the project package's tasks (apps' tasks.py are autodiscovered)
CELERY_IMPORTS = ["trackyoursheets.jobs", "trackyoursheets.api.idempotency"]
# A job left "running" with no heartbeat for this long has lost its worker (trackyoursheets/jobs.py).
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=15 * 60)
# How many times the sweep re-queues a stale job that may safely run again before failing it.
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)

# =============================================================================
# TRACKTIK (issue 19; read by integrations/tracktik/services/connection.py)
# =============================================================================

# The client's timeouts and retries: attempts per request, the backoff's base and cap, and the
# longest single wait (a Retry-After or a rate-limit reset longer than this waits this long).
TRACKTIK_TIMEOUT_SECONDS = env.float("TRACKTIK_TIMEOUT_SECONDS", default=20.0)
TRACKTIK_RETRY_ATTEMPTS = env.int("TRACKTIK_RETRY_ATTEMPTS", default=5)
TRACKTIK_BACKOFF_BASE_SECONDS = env.float("TRACKTIK_BACKOFF_BASE_SECONDS", default=0.5)
TRACKTIK_MAX_WAIT_SECONDS = env.float("TRACKTIK_MAX_WAIT_SECONDS", default=60.0)

# =============================================================================
# WEBHOOKS (issue 5; read by integrations/conf.py)
# =============================================================================

# Seconds before each retry of a failed delivery (three retries), each ±WEBHOOK_RETRY_JITTER.
# Short by default (development, tests); production sets e.g. 60,900,10800. Delays longer than
# WEBHOOK_MAX_COUNTDOWN_SECONDS are picked up by the beat sweep instead of a Celery countdown
# (a countdown past Redis' one-hour visibility timeout would run twice).
WEBHOOK_RETRY_SCHEDULE = [float(s) for s in env.list("WEBHOOK_RETRY_SCHEDULE", default=["2", "8", "32"])]
WEBHOOK_RETRY_JITTER = env.float("WEBHOOK_RETRY_JITTER", default=0.2)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION = env.int("WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION", default=50)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
WEBHOOK_MAX_COUNTDOWN_SECONDS = env.float("WEBHOOK_MAX_COUNTDOWN_SECONDS", default=900.0)
WEBHOOK_SWEEP_GRACE_SECONDS = env.float("WEBHOOK_SWEEP_GRACE_SECONDS", default=30.0)
# Development only: plain http:// endpoints, and endpoints on private, loopback or link-local
# addresses (SSRF protection). Both stay off in production.
WEBHOOKS_ALLOW_INSECURE_URLS = env.bool("WEBHOOKS_ALLOW_INSECURE_URLS", default=False)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)

# =============================================================================
# EMAIL
# =============================================================================

# Invitations and password resets. Development prints them to the console; tests use locmem.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TrackYourSheets <no-reply@localhost>")
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60  # reset links work for 3 hours

# =============================================================================
# FILES
# =============================================================================

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
#: Uploaded files that only permitted people may fetch (HR documents, import files): never under a
#: web-served directory; the app streams them after its own permission check.
PRIVATE_FILES_ROOT = env.path("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private"))
#: Largest accepted upload (statement imports, HR documents, CSV time imports), in bytes.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
#: the one limit on any API request body (raw, JSON, multipart): an upload of UPLOAD_MAX_BYTES plus
#: its multipart envelope fits; more is a 413 problem before anything parses it
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=UPLOAD_MAX_BYTES + 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# =============================================================================
# SECURITY (production values unless DEBUG; `manage.py check --deploy` is clean)
# =============================================================================

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: How many reverse proxies (each appending to X-Forwarded-For) stand in front of the app. 0: the
#: client address is REMOTE_ADDR; N: the N-th X-Forwarded-For entry from the right (personal
#: tokens' IP allowlists, trackyoursheets/api/client_address.py; issue 13).
API_TRUSTED_PROXY_COUNT = env.int("API_TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^v1/health$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# =============================================================================
# API PLATFORM
# =============================================================================

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["trackyoursheets.api.authentication.ApiAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["trackyoursheets.api.permissions.HasRequiredScope"],
    "DEFAULT_PAGINATION_CLASS": "trackyoursheets.api.pagination.EnvelopePagination",
    "DEFAULT_THROTTLE_CLASSES": ["trackyoursheets.api.throttling.OrganisationRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["trackyoursheets.api.filters.ProblemFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["trackyoursheets.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "trackyoursheets.api.refusals.audited_problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "trackyoursheets.api.schema.ProblemAutoSchema",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

API_PAGE_SIZE_DEFAULT = 25
API_PAGE_SIZE_MAX = 100
API_DEFAULT_RATE_LIMIT_PER_MINUTE = env.int("API_DEFAULT_RATE_LIMIT_PER_MINUTE", default=1000)
# per credential (OAuth client, personal token, session user); a client may set its own
API_CREDENTIAL_RATE_LIMIT_PER_MINUTE = env.int("API_CREDENTIAL_RATE_LIMIT_PER_MINUTE", default=600)

OAUTH2_PROVIDER_APPLICATION_MODEL = "organisations.OAuthApplication"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES_BACKEND_CLASS": "trackyoursheets.api.scopes.ApplicationScopes",
    "OAUTH2_BACKEND_CLASS": "trackyoursheets.api.oauth.JsonOrFormOAuthLibCore",
    "OAUTH2_VALIDATOR_CLASS": "trackyoursheets.api.oauth.OAuth2Validator",
    "PKCE_REQUIRED": True,
    # RFC 9700: keep only a checksum of access tokens, refuse tokens in query strings
    # and the grants we never offer.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TrackYourSheets API",
    "DESCRIPTION": (
        "Commissions, payroll, HR and time tracking for insurance agencies and service businesses. "
        "Authenticate with OAuth 2.1 client credentials at `POST /oauth/token` and send "
        "`Authorization: Bearer <token>`. Every error is `application/problem+json` (RFC 7807). "
        "See the API guide at /api-guide."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WorkspaceStatusEnum": "organisations.choices.WorkspaceStatus",
        "ProducerStatusEnum": "organisations.choices.ProducerStatus",
        "MembershipStatusEnum": "organisations.choices.MembershipStatus",
        "RoleEnum": "organisations.choices.Role",
        "RateKindEnum": "timetracking.choices.RateKind",
        "TimesheetStatusEnum": "timetracking.choices.TimesheetStatus",
    },
    "AUTHENTICATION_WHITELIST": ["trackyoursheets.api.authentication.ApiAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "trackyoursheets.api.schema_enums.postprocess_named_enums",
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trackyoursheets.api.schema.add_scopes_to_security_scheme",
    ],
}

GRAPHENE = {
    "SCHEMA": "trackyoursheets.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "ATOMIC_MUTATIONS": True,
}
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=8)

# =============================================================================
# LOGGING
# =============================================================================

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "trackyoursheets.api.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"},
        "json": {"()": "trackyoursheets.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain"),
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Issue 14 point 10: with tasks run in-process (the embedded default of `make run`), Celery
    # logs one "Task ... succeeded" line per webhook dispatch and kombu warns about the broker it
    # never uses: hundreds of lines that buried the demo facts. Failures still show (WARNING+).
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
