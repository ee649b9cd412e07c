"""One settings module for every environment; the environment decides (see README)."""

import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)

# The embedded default (no DATABASE_URL: SQLite) is a development machine; a deployment names
# its database and so gets DEBUG off and a required SECRET_KEY unless it says otherwise.
DEBUG = env_bool("DEBUG", default=not env_str("DATABASE_URL"))
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
# Keyed hash for API key secrets; separate so SECRET_KEY can rotate without revoking every key.
API_KEY_HASH_KEY = env_str("API_KEY_HASH_KEY") or SECRET_KEY

PUBLIC_BASE_URL = (env_str("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
PUBLIC_BASE_DOMAIN = env_str("PUBLIC_BASE_DOMAIN") or "localhost"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"] if DEBUG or TESTING else [])
if not ALLOWED_HOSTS:
    # Pages are served on {slug}.PUBLIC_BASE_DOMAIN and on custom domains checked per request.
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL])

WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=DEBUG)
# Monitor targets on private networks; unset (None): whatever WEBHOOK_ALLOW_PRIVATE_NETWORKS says.
MONITOR_ALLOW_PRIVATE_NETWORKS = (
    env_bool("MONITOR_ALLOW_PRIVATE_NETWORKS")
    if env_str("MONITOR_ALLOW_PRIVATE_NETWORKS")
    else None
)
# DNS monitors ask these resolvers ("host" or "host:port", comma-separated); empty: the system's.
MONITOR_DNS_NAMESERVERS = env_list("MONITOR_DNS_NAMESERVERS", [])
# How often beat hands out the checks due next (monitors.scheduling), in seconds.
MONITORS_DISPATCH_SECONDS = env_float("MONITORS_DISPATCH_SECONDS", 1.0)
# Multiplies every check interval, heartbeat period and grace: a test clock (0.05 runs a 30 s
# interval every 1.5 s). Leave it at 1 in production.
MONITORS_TIME_SCALE = env_float("MONITORS_TIME_SCALE", 1.0)
# Heartbeat pings queued on Redis and applied by beat each MONITORS_DISPATCH_SECONDS (no commit
# per ping); unset: queued with a Redis cache and a Celery broker, applied at once otherwise.
MONITORS_PINGS_QUEUED = (
    env_bool("MONITORS_PINGS_QUEUED") if env_str("MONITORS_PINGS_QUEUED") else None
)
# How long a poll of an upstream page (a component's `upstream`) may take before it counts as
# failed, in seconds (redirects included).
UPSTREAM_TIMEOUT_SECONDS = env_float("UPSTREAM_TIMEOUT_SECONDS", 10.0)
# Bearer token a Prometheus scraper sends to GET /metrics; unset, /metrics does not exist.
METRICS_TOKEN = env_str("METRICS_TOKEN") or ""
API_RATE_LIMIT = env_str("API_RATE_LIMIT") or "1200/min"
# Reverse proxies in front of the service that append to X-Forwarded-For (0: none, trust only
# REMOTE_ADDR); used to rate-limit public subscribe requests per client address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# Activity log entries older than this are purged daily.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)
# Larger request bodies are refused with 413 (`details.max_body_bytes`) before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "tenancy",
    "audit",
    "accounts",
    "statuspages",
    "incidents",
    "maintenances",
    "pagetemplates",
    "subscribers",
    "notifications",
    "uptime",
    "metrics",
    "integrations",
    "monitors",
    "upstreams",
    "public",
    "dialects.statuspage_v1",
    "dialects.incident_io",
    "dialects.instatus",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Outside all but the request id: a crash in any middleware below still gets the envelope
    # (or the shape of the dialect whose path it is).
    "core.middleware.ApiErrorEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.MalformedRequestMiddleware",
    # Current cached public documents are answered here, before sessions, CSRF and auth.
    "public.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for a concurrent writer instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# With Redis down, answer from the database at once instead of retrying with backoff (redis-py's
# default: about a second per call): fail fast, one retry for a pooled connection Redis closed.
REDIS_CACHE_OPTIONS = {
    "retry": Retry(NoBackoff(), 1),
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "sp",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager in-process without a broker, real workers with one.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (env_str("CELERY_BROKER_URL") or REDIS_URL)
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection before and after every task: a new
# connection each time (a second's dispatch, check and ping tasks are three). It closes one
# every 1,000th task instead; between tasks, config.celery treats the connection as Django
# treats it between requests (CONN_MAX_AGE, a health check before reuse) and closes it after
# a task that failed.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TIMEZONE = "UTC"
# Four queues, and every worker consumes all of them (a worker without -Q takes all
# task_queues; Redis is polled in turn across them): "celery" for everything by default,
# NOTIFICATIONS_BULK_QUEUE for the fan-out and first sends of events with more than
# NOTIFICATIONS_BULK_SUBSCRIBERS subscribers, so a huge page never delays a small one's, and
# NOTIFICATIONS_FANOUT_QUEUE for the later parts of a large fan-out, so that each part waits
# for one turn of the polling, not behind the sends its predecessors queued.
NOTIFICATIONS_BULK_QUEUE = "notifications-bulk"
NOTIFICATIONS_FANOUT_QUEUE = "notifications-fanout"
NOTIFICATIONS_BULK_SUBSCRIBERS = env_int("NOTIFICATIONS_BULK_SUBSCRIBERS", 1000)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue(NOTIFICATIONS_BULK_QUEUE, routing_key=NOTIFICATIONS_BULK_QUEUE),
    Queue(NOTIFICATIONS_FANOUT_QUEUE, routing_key=NOTIFICATIONS_FANOUT_QUEUE),
    # Checks of location "default" (monitors.scheduling); a checker elsewhere is a worker
    # started with -Q monitors.<location>, its queue made when first used.
    Queue("monitors.default", routing_key="monitors.default"),
)
# The dispatcher goes on the default location's queue, so a notification backlog on "celery"
# never delays the checks.
CELERY_TASK_ROUTES = {"monitors.tasks.monitors_dispatch": {"queue": "monitors.default"}}
CELERY_BEAT_SCHEDULE = {
    # Metric points and roll-ups older than 400 days go; Prometheus-fed metrics are pulled.
    "metrics-purge": {"task": "metrics.tasks.metrics_purge", "schedule": 3600.0},
    "metrics-pull": {"task": "metrics.tasks.metrics_pull_due", "schedule": 60.0},
    "maintenances-auto-transition": {
        "task": "maintenances.tasks.maintenances_auto_transition",
        "schedule": 30.0,
    },
    "purge-audit-events": {
        "task": "audit.tasks.audit_events_purge",
        "schedule": 86400.0,
    },
    "purge-idempotency-records": {
        "task": "core.tasks.idempotency_records_purge",
        "schedule": 3600.0,
    },
    # Re-queues notification events and deliveries whose message was lost (broker down, worker
    # killed); claims keep it from ever sending one twice.
    # Opens the incidents of alerts whose debounce (open_after_seconds) has run out.
    "integrations-open-due": {
        "task": "integrations.tasks.alert_groups_open_due",
        "schedule": 10.0,
    },
    "integrations-purge": {
        "task": "integrations.tasks.alert_groups_purge",
        "schedule": 3600.0,
    },
    # Heartbeats silent past period + grace go down; results older than 90 days go.
    "monitors-heartbeats-overdue": {
        "task": "monitors.tasks.heartbeats_overdue_mark",
        "schedule": max(0.2, 10.0 * MONITORS_TIME_SCALE),
    },
    # Applies the heartbeat pings queued on Redis (monitors.heartbeats).
    "monitors-pings": {
        "task": "monitors.tasks.pings_record",
        "schedule": MONITORS_DISPATCH_SECONDS,
        "options": {"queue": "monitors.default", "expires": 10 * MONITORS_DISPATCH_SECONDS},
    },
    # Hands out the checks due in the next window to each location's queue.
    # (One that waited longer than a period is dropped: the next claims its window anyway, and
    # a worker back from the dead should not work through a pile of them before the checks.)
    "monitors-dispatch": {
        "task": "monitors.tasks.monitors_dispatch",
        "schedule": MONITORS_DISPATCH_SECONDS,
        "options": {"expires": MONITORS_DISPATCH_SECONDS},
    },
    # Polls the upstream pages components mirror that are due (each at most once a minute).
    "upstreams-poll": {
        "task": "upstreams.tasks.upstreams_poll_due",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
    "monitors-results-purge": {
        "task": "monitors.tasks.monitor_results_purge",
        "schedule": 86400.0,
    },
    "notifications-sweep": {
        "task": "notifications.tasks.notifications_sweep",
        "schedule": float(env_int("NOTIFICATIONS_SWEEP_SECONDS", 15)),
    },
}
# A send task's claim on its deliveries is a lease: renewed every third of this while its
# requests are in flight, so a delivery still "sending" after this long lost its worker and is
# claimed again (by the sweep, or a redelivered message).
NOTIFICATIONS_SENDING_STALE_SECONDS = env_int("NOTIFICATIONS_SENDING_STALE_SECONDS", 30)
# Deliveries per send task, and how many of its requests are in flight at once (they overlap
# on the worker process's event loop, so hundreds cost little).
NOTIFICATIONS_SEND_BATCH = env_int("NOTIFICATIONS_SEND_BATCH", 500)
NOTIFICATIONS_SEND_CONCURRENCY = env_int("NOTIFICATIONS_SEND_CONCURRENCY", 250)
# Deliveries one fan-out task creates before it queues the rest as another task.
NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS = env_int("NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS", 10_000)
# Channels that hold a connection (email): SMTP connections a send task spreads its share over.
NOTIFICATIONS_SERIAL_CONNECTIONS = env_int("NOTIFICATIONS_SERIAL_CONNECTIONS", 4)
# A send task records the outcomes that arrived every this often (one UPDATE each time).
NOTIFICATIONS_RECORD_SECONDS = env_int("NOTIFICATIONS_RECORD_SECONDS", 1)
# Requests in flight at once to one receiving host, per send task.
OUTBOUND_CONNECTIONS_PER_HOST = env_int("OUTBOUND_CONNECTIONS_PER_HOST", 20)
# A pending event or delivery older than this without progress is re-queued by the sweep (its
# message may sit unacknowledged with a dead worker until Redis's visibility timeout, 600 s).
# A re-queued delivery that its first message also reaches is claimed once: never sent twice.
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env_int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", 30)
# An event whose fan-out never started (no delivery exists: its message was lost, the broker
# was down) is re-queued after only this long, so it goes out within ~30 s of the broker's return.
NOTIFICATIONS_SWEEP_EVENT_GRACE_SECONDS = env_int("NOTIFICATIONS_SWEEP_EVENT_GRACE_SECONDS", 10)
PUBLIC_SUBSCRIBE_RATE_LIMIT = env_str("PUBLIC_SUBSCRIBE_RATE_LIMIT") or "30/10min"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the built-in words of public pages, feeds and messages (core.languages);
# the project's translations are in locale/ (README, "Languages").
LANGUAGES = [
    ("en", "English"),
    ("fr", "French"),
    ("de", "German"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "status_language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = PUBLIC_BASE_URL.startswith("https://")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsApiKey"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JsonParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # The client address of public rate limits (core.throttling) behind trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Status page API",
    "DESCRIPTION": (
        "Management API (`/api/v1/`, bearer API keys with scopes) of the status-page service. "
        'Every error uses the envelope `{"error": {code, message, details, request_id}}`; '
        "lists are cursor-paginated (`data` + `pagination.next_cursor`, pass it back as `after`). "
        "See README.md for a walk-through.\n\n"
        "Where the contract is silent this API chooses, and keeps to: a body over 1 MiB is "
        "413 `payload_too_large` (`details.max_body_bytes`); a query parameter an operation "
        "does not document is 400, as is an unknown body field; values are never coerced "
        '(`"name": 1` or `"notify_subscribers": "yes"` is 400); JSON nested deeper than 32 '
        "levels is 400 `parse_error`; text holding NUL or an unpaired surrogate is 400 "
        "wherever it appears (a NUL in the path is 404); date-times must carry a time zone and "
        "lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z. Creating an incident or a "
        "maintenance documents `Idempotency-Key` as a required header; the body field "
        "`idempotency_key` is accepted instead for clients that cannot set headers.\n\n"
        "Page visibility (contract section 5 names the field, not how readers are managed): "
        "readers, reader groups and share links live under a page at `/readers`, "
        "`/reader-groups` and `/share-links` (ids `rdr_`, `rgrp_`, `shr_`) and are written with "
        "scope `pages:write`; components, incidents and maintenances take "
        "`audience_group_ids`. A non-public page answers an unadmitted reader on every public "
        "surface exactly as a missing page does (404). Languages: a page's `default_language` "
        "and the reader's choice apply to the human page, feeds, emails and SMS; JSON "
        "documents, webhooks, badges and the widget script stay in English (machine values)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Descriptions are written for API users in @extend_schema, never taken from docstrings.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "ENUM_NAME_OVERRIDES": {
        "ComponentStatusEnum": "statuspages.models.ComponentStatus",
        "ImpactEnum": "statuspages.models.Impact",
        "IncidentStatusEnum": "incidents.models.IncidentStatus",
        "MaintenanceStatusEnum": "maintenances.models.MaintenanceStatus",
        "ScopeEnum": "accounts.models.Scope",
        "LanguageEnum": "core.languages.Language",
        "PageIndicatorEnum": ["none", "minor", "major", "critical", "maintenance"],
        "IntegrationKindEnum": "integrations.models.IntegrationKind",
        "MonitorKindEnum": "monitors.models.MonitorKind",
        "MonitorStateEnum": "monitors.models.MonitorState",
        "IntegrationEventStatusEnum": "integrations.models.IntegrationEventStatus",
        "RuleStatusEnum": ["degraded_performance", "partial_outage", "major_outage"],
        "AlertStatusEnum": ["firing", "resolved"],
        # A template's default status: one of its kind's, or "" for none.
        "IncidentTemplateStatusEnum": ["", "investigating", "identified", "monitoring", "resolved"],
        "MaintenanceTemplateStatusEnum": ["", "scheduled", "in_progress", "verifying", "completed"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_schema",
        "public.schema.add_public_api",
    ],
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "status@localhost"
# EMAIL_URL: smtp://user:password@host:25, smtp+tls://...:587 (STARTTLS), smtps://...:465,
# or console:// / locmem://. An explicit EMAIL_BACKEND wins.
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL and not env_str("EMAIL_BACKEND"):
    _email = urlsplit(EMAIL_URL)
    _scheme = _email.scheme.lower()
    if _scheme in ("console", "locmem", "dummy"):
        EMAIL_BACKEND = f"django.core.mail.backends.{_scheme}.EmailBackend"
    elif _scheme in ("smtp", "smtp+tls", "smtps"):
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = _email.hostname or "localhost"
        EMAIL_PORT = _email.port or {"smtps": 465, "smtp+tls": 587}.get(_scheme, 25)
        EMAIL_HOST_USER = unquote(_email.username or "")
        EMAIL_HOST_PASSWORD = unquote(_email.password or "")
        EMAIL_USE_SSL = _scheme == "smtps"
        EMAIL_USE_TLS = _scheme == "smtp+tls"
        EMAIL_TIMEOUT = 10
    else:
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtp+tls://, smtps://, "
            f"console:// or locmem://, got {_scheme}://"
        )

# Admin two-factor (TOTP): the issuer name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER") or "Status pages"

# SMS: "channels.transports.sms.TwilioSmsBackend" sends through Twilio's REST API.
SMS_BACKEND = (env_str("SMS_BACKEND") or "channels.transports.sms.LoggingSmsBackend").replace(
    "notifications.transports.sms.",
    "channels.transports.sms.",  # its home before channels/
)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID") or ""
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN") or ""
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER") or ""
TWILIO_API_BASE = env_str("TWILIO_API_BASE") or "https://api.twilio.com"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    # httpx logs every outbound request at INFO: one line per delivery is noise at fan-out scale.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
