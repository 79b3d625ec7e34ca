"""Registre settings, read from the environment (twelve-factor).

Every value an operator may change is read here, once, through one ``environ.Env``.
Defaults are the embedded, newcomer set-up: SQLite under the project, Celery eager.
A ``.env`` file at the project root (or the file ``ENV_FILE`` names) is read when present
(``make`` writes one for development); real environment variables always win over it.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The container's own health probe calls http://127.0.0.1:8000/healthz whatever the site's name.
ALLOWED_HOSTS += [host for host in ("127.0.0.1", "localhost") if host not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form's token: the app's 403 page, in its layout and the reader's language.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

REGISTRE_VERSION = __version__  # shown in every page's footer

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_countries",
    "template_partials",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API explorer's assets, served from here
    # Registre, from the bottom layer up: breaches, discovery -> processing -> inventory -> accounts -> core
    "core",
    "accounts",
    "inventory",
    "processing",  # the register itself
    "processing.compliance",  # above the register: rules, checks, findings, retention policy
    "processing.reports",  # above the register: exports and imports
    "breaches",
    "discovery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.HealthCheckMiddleware",  # /healthz: JSON, before anything reads the database
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(), which django-otp-webauthn's views read
    "accounts.middleware.UserPreferencesMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",  # nothing else until the second factor is given or set up
    "accounts.sign_ins.DeviceCookieMiddleware",  # the browser's identifier, set at a successful sign-in
    "core.middleware.NoStoreMiddleware",  # signed-in pages, API answers and downloads: Cache-Control no-store
    "core.middleware.PostRateLimitMiddleware",  # form posts per user (per address before signing in): RATE_LIMITS
    "simple_history.middleware.HistoryRequestMiddleware",  # history records who made each change
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.JobsNoticeMiddleware",  # inside the messages: its notice is stored with the others
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.registre",
                "accounts.context_processors.organisations",
            ],
        },
    },
]

# Widgets look in templates/ first (a faster select), then in Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database: SQLite file by default, PostgreSQL (or any) with DATABASE_URL ----------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process can share the test database; one per
    # test process, so that two runs in the same checkout never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"registre-test-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No just-in-time compilation of plans: PostgreSQL compiles a statement whose estimated cost passes a threshold,
    # and the compliance check's set-based statements over a large register all do. Compiling cost more than it
    # saved: 1 s of a 1.4 s rule (data.dpia_missing, 100,000 activities); 17.0 s -> 13.1 s for every rule of the
    # sweep. Sent as a connection option (a connection pooler in transaction mode must pass it on, or set jit = off
    # on the server).
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options["options"] = f"{database_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
    "accounts.sso.Backend",  # OpenID Connect, when a provider is set up below
]
# Single sign-on with OpenID Connect (accounts.sso, docs/configuration.md): on when OIDC_RP_CLIENT_ID is set.
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")  # shown on the sign-in button
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # people join by invitation
OIDC_ALLOWED_EMAIL_DOMAINS = env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[])
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
LOGIN_REDIRECT_URL_FAILURE = "/account/login/"
# Sign-in throttling (accounts.security.SignInThrottle): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, or SIGN_IN_ADDRESS_FAILURE_LIMIT from one address over every username (password
# spraying), the sign-in is refused (429) for AXES_COOLOFF_MINUTES. Successful sign-ins are not logged by axes.
AXES_HANDLER = "accounts.security.SignInThrottle"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the order SignInThrottle reads them in
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
if SIGN_IN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("SIGN_IN_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT.")

# Rate limits (core.ratelimit), counted in RATE_LIMIT_CACHE (Redis when REDIS_URL is set; in the process if it
# does not answer). Written "N/second|minute|hour|day".
RATE_LIMIT_CACHE = "default"
RATE_LIMITS = {
    "posts": env.str("FORM_POST_RATE", default="60/minute"),  # form posts per signed-in user
    "anonymous_posts": env.str("ANONYMOUS_POST_RATE", default="100/minute"),  # per address: sign-in, reset
    "api_reads": env.str("API_READ_RATE", default="600/minute"),  # per user, whatever their token
    "api_writes": env.str("API_WRITE_RATE", default="120/minute"),  # per user
    "api_anonymous": env.str("API_ANONYMOUS_RATE", default="60/minute"),  # per address, before a token is known
    "password_reset_address": env.str("PASSWORD_RESET_ADDRESS_RATE", default="5/hour"),  # reset requests
    "password_reset_account": env.str("PASSWORD_RESET_ACCOUNT_RATE", default="3/hour"),  # emails to one address
    "api_token_failures": env.str("API_TOKEN_FAILURE_RATE", default="20/minute"),  # unknown tokens per address
    "invitations": env.str("INVITATION_RATE", default="30/hour"),  # invitations a DPO sends
    "invitation_email": env.str("INVITATION_EMAIL_RATE", default="3/day"),  # invitations to one email address
}
# Two factors (accounts.two_factor): an authenticator app named "Registre" in the app's list; a code is good within
# one step (30 s) either side, once; wrong codes slow further tries down (1 s, 2 s, 4 s…).
# The sign-in audit (accounts.sign_ins): how long each sign-in (address, browser) is kept.
SIGN_IN_HISTORY_DAYS = env.int("SIGN_IN_HISTORY_DAYS", default=90)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Registre")
OTP_TOTP_THROTTLE_FACTOR = 1
# Passkeys (WebAuthn, django-otp-webauthn) as a second factor, never instead of the password; bound to the address
# users reach Registre at (SITE_URL): its host is the relying party, its origin the only one accepted.
OTP_WEBAUTHN_RP_NAME = "Registre"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", default="")  # default: SITE_URL's host (set below)
OTP_WEBAUTHN_ALLOWED_ORIGINS: list[str] = []  # default: SITE_URL (set below)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Display time zone for people who have not chosen theirs; storage is always UTC.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True
# Dates and times one way per language, day first, 24-hour: "6 Dec 2026, 02:26", « 6 déc. 2026, 02:26 ».
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and generated files ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email (console in development) ------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="registre@localhost")
# Where users reach Registre: the links of emails sent by the workers (no request to read it from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Passkeys need a domain name: on this machine, http://localhost:<port> (a browser refuses them on 127.0.0.1).
_site = urlsplit(SITE_URL)
_local = _site.scheme == "http" and _site.hostname in ("127.0.0.1", "localhost")
OTP_WEBAUTHN_RP_ID = OTP_WEBAUTHN_RP_ID or ("localhost" if _local else _site.hostname or "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"http://localhost:{_site.port or 80}" if _local else SITE_URL]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# No broker configured: run tasks in-process, and let their errors surface.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer costs a request at most about a second: sending a job is tried once (the outbox
# keeps it, core.jobs), the connection and each socket operation time out.
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=0.5)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
    "max_retries": 0,
    # A message taken by a worker that died comes back after this; the outbox takes its job back sooner.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}

# --- The outbox of background jobs (core.jobs) ----------------------------------------------
# A running job beats this often; one silent this long lost its worker and is sent again (until it has had
# JOB_MAX_ATTEMPTS); a job sent but not taken this long is sent again (its message expires then).
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=15)
JOB_HEARTBEAT_TIMEOUT_SECONDS = env.int("JOB_HEARTBEAT_TIMEOUT_SECONDS", default=60)
JOB_REDISPATCH_SECONDS = env.int("JOB_REDISPATCH_SECONDS", default=120)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=5)
JOB_DISPATCH_BATCH = 500  # jobs sent per round of the dispatcher
JOB_DISPATCH_EVERY_SECONDS = env.int("JOB_DISPATCH_EVERY_SECONDS", default=30)
if JOB_HEARTBEAT_TIMEOUT_SECONDS <= 2 * JOB_HEARTBEAT_SECONDS or JOB_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "JOB_HEARTBEAT_TIMEOUT_SECONDS must exceed twice JOB_HEARTBEAT_SECONDS, and JOB_MAX_ATTEMPTS be positive."
    )
# Discovery: the Fernet keys that encrypt data sources' credentials, the first for new ones (discovery.secrets);
# without them, one derived from SECRET_KEY (which then cannot change without losing the sources' credentials).
DISCOVERY_KEYS = env.list("DISCOVERY_KEYS", default=[])
# A scan begins no table past this many seconds: the tables left get the reason timeout (below the task's limits).
DISCOVERY_SCAN_TIME_LIMIT = env.int("DISCOVERY_SCAN_TIME_LIMIT", default=240)
if DISCOVERY_SCAN_TIME_LIMIT < 0:
    raise ImproperlyConfigured("DISCOVERY_SCAN_TIME_LIMIT must be 0 or more seconds.")
NIGHTLY_SWEEP_HOUR_UTC = env.int("NIGHTLY_SWEEP_HOUR_UTC", default=2)  # each organisation's register checked whole
DIGEST_HOUR_UTC = env.int("DIGEST_HOUR_UTC", default=6)  # the daily digests fall due then (after the nightly sweep)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "compliance-nightly-sweep": {
        # Hourly: a run for each organisation not checked since NIGHTLY_SWEEP_HOUR_UTC (a lost night made up).
        "task": "processing.check_all_organisations",
        "schedule": crontab(minute=0),
        "options": {"expires": 50 * 60},
    },
    "compliance-daily-digest": {
        # Hourly: the digests due since DIGEST_HOUR_UTC and not sent yet, each a job in the outbox.
        "task": "processing.plan_digests",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "compliance-reconcile-runs": {
        "task": "processing.reconcile_compliance_runs",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    "discovery-plan-scans": {
        # Hourly: a scan for each source whose latest is older than its scan_every_days (discovery.services).
        "task": "discovery.plan_scans",
        "schedule": crontab(minute=20),
        "options": {"expires": 50 * 60},
    },
    "breaches-deadlines": {
        "task": "breaches.check_breaches",
        "schedule": crontab(minute="*/5"),  # the 72-hour clock: warnings within minutes
        "options": {"expires": 4 * 60},
    },
    "sign-ins-forget-old": {
        "task": "accounts.forget_old_sign_ins",
        "schedule": crontab(hour=3, minute=15),
    },
    "exports-housekeeping": {
        "task": "processing.exports_housekeeping",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    "jobs-dispatch": {
        "task": "core.dispatch_jobs",
        "schedule": timedelta(seconds=JOB_DISPATCH_EVERY_SECONDS),
        "options": {"expires": JOB_DISPATCH_EVERY_SECONDS},
    },
    "worker-heartbeat": {
        "task": "core.record_worker_heartbeat",
        "schedule": crontab(),  # every minute
        "options": {"expires": 50},
    },
}

# --- Exports of the register -------------------------------------------------------------
# A register this size or smaller is exported in the request; a larger one, and every PDF,
# by a worker, whose file is kept this many hours. An export still waiting for a worker this
# many minutes after it was sent is sent again.
REGISTER_EXPORT_IMMEDIATE_MAX = env.int("REGISTER_EXPORT_IMMEDIATE_MAX", default=1000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
EXPORT_REDISPATCH_MINUTES = env.int("EXPORT_REDISPATCH_MINUTES", default=10)
# A PDF of the register is laid out whole (about 4 MB of a worker's memory per activity).
REGISTER_PDF_MAX_ACTIVITIES = env.int("REGISTER_PDF_MAX_ACTIVITIES", default=250)
# The largest register file a DPO may upload for import (bytes).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Compliance checks -------------------------------------------------------------------
# A run still waiting for a worker this long after it was sent is sent again (its dispatch
# was lost); one still running after CELERY_TASK_TIME_LIMIT lost its worker and is sent
# again too, until it has been started this many times: then it is marked failed.
_redispatch_minutes = env.int("COMPLIANCE_RUN_REDISPATCH_MINUTES", default=10)
COMPLIANCE_RUN_MAX_ATTEMPTS = env.int("COMPLIANCE_RUN_MAX_ATTEMPTS", default=5)
if _redispatch_minutes < 1 or COMPLIANCE_RUN_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("COMPLIANCE_RUN_REDISPATCH_MINUTES and COMPLIANCE_RUN_MAX_ATTEMPTS must be positive.")
COMPLIANCE_RUN_REDISPATCH_AFTER = timedelta(minutes=_redispatch_minutes)

# --- Breaches ------------------------------------------------------------------------------
# Art. 33(1): notify the authority within 72 hours of becoming aware, unless the breach is
# unlikely to result in a risk. Settings, not literals: a reform proposal (the 2025 "Digital
# Omnibus") would notify only high risks, within 96 hours.
BREACH_NOTIFICATION_HOURS = env.int("BREACH_NOTIFICATION_HOURS", default=72)
BREACH_NOTIFICATION_THRESHOLD = env.str("BREACH_NOTIFICATION_THRESHOLD", default="risk")
if BREACH_NOTIFICATION_HOURS < 1 or BREACH_NOTIFICATION_THRESHOLD not in ("risk", "high_risk"):
    raise ImproperlyConfigured(
        "BREACH_NOTIFICATION_HOURS must be positive and BREACH_NOTIFICATION_THRESHOLD 'risk' or 'high_risk'."
    )

# --- Cache: Redis when configured (shared by every process: the API's rate limits) -------
CACHES = {
    # A Redis that does not answer costs a request half a second at most (the API's rate limit then lets it by).
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": BROKER_TIMEOUT_SECONDS, "socket_timeout": BROKER_TIMEOUT_SECONDS},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- API (Django REST Framework) ---------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a request without credentials is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "accounts.authentication.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api_defaults.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api_defaults.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Reads and writes per user (token or session), requests without credentials per address: RATE_LIMITS.
    "DEFAULT_THROTTLE_CLASSES": ["core.api_defaults.RateThrottle"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.Schema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The largest request body accepted (a register's activity with its rows fits in far less).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
SPECTACULAR_SETTINGS = {
    "TITLE": "Registre API",
    "DESCRIPTION": (
        "The record of processing activities (GDPR Art. 30) for scripts, integrations and "
        "discovery tools. See the README's API section for authentication, errors and limits."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes the API, not anybody's data: readable before signing in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    # A deep link would put a link inside each operation's button (WCAG 4.1.2: nested controls).
    # Swagger UI's default code theme (agate) draws numbers at 3.45:1 on its dark background; Tomorrow Night's
    # colours for JSON and shell all meet WCAG 2.1 AA (4.5:1).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": {"activated": True, "theme": "tomorrow-night"}},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by several fields get one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "DataCategoryEnum": "inventory.models.DataField.Category",
        "SpecialCategoryEnum": "inventory.models.DataField.SpecialCategory",
        "DurationUnitEnum": "processing.models.RetentionLine.Unit",
        "ActivityStatusEnum": "processing.models.ProcessingActivity.Status",
        "ActivityRoleEnum": "processing.models.ProcessingActivity.Role",
        "ExportStatusEnum": "processing.reports.models.ExportLog.Status",
        "ExportScopeEnum": ["active", "all"],
        "RecipientKindEnum": "inventory.models.Recipient.Kind",
        "SystemKindEnum": "inventory.models.System.Kind",
        "SecurityMeasureKindEnum": "processing.models.SecurityMeasure.Kind",
        "ScanStatusEnum": "discovery.models.Scan.Status",
        "ScanReasonEnum": "discovery.models.Scan.Reason",
        "SourceKindEnum": "discovery.models.Source.Kind",
        "ColumnDecisionEnum": "discovery.models.ScannedColumn.Decision",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list commits the whole domain: the operator decides.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy (docker-compose, a PaaS), trust its X-Forwarded-Proto, and
# take the client's address from the entry the proxy added to X-Forwarded-For.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by the orchestrator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
HEALTHZ_PATH = "/healthz"
X_FRAME_OPTIONS = "DENY"

# Nothing is loaded from a third party: every asset is ours, served by whitenoise.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its progress, step by step, at INFO
        "fontTools": {"level": "WARNING"},
    },
}
