"""Settings, read from the environment with defaults that let `make run` work on a bare machine.

Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS,
CSRF_TRUSTED_ORIGINS and EMAIL_URL-style mail settings; `manage.py check --deploy` is then clean.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# Off unless DEBUG=1: a debug page lists the whole URL configuration and the settings.
DEBUG = env_bool("DEBUG", False)
# The key signs sessions: from SECRET_KEY, else from the file `make run`/`make test` generate once
# (var/secret_key, never committed). A published fallback key would let anyone forge a session.
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / "var" / "secret_key")
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.is_file() else "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"未设置 SECRET_KEY：请设置环境变量 SECRET_KEY（至少 50 个随机字符），或运行 make run 生成 {SECRET_KEY_FILE}。")
    SECRET_KEY = "dev-only-insecure-key-change-me-for-any-real-deployment"
# Without ALLOWED_HOSTS only this machine's own names are served (make run, the tests): fails closed.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address printed in receipts' QR codes and e-mails; with DEBUG off it must be set in the
# environment (portal/checks.py refuses to start otherwise).
SITE_URL_FROM_ENV = bool(os.environ.get("SITE_URL"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The proxies whose X-Forwarded-For is believed (addresses or networks): nginx on this host by
# default. A client connecting from anywhere else is known by its own address (portal/audit.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES 中的 {_proxy!r} 不是 IP 地址或网段。") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "axes",
    "csp",
    "import_export",
    "portal",
    "filings",
    "assessments",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "portal.security.ConfidentialDownloadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.security.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.audit.RequestContextMiddleware",
    "portal.security.RefusedAccessAuditMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout into the login page's answer
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # The public directory's search statement binds its parameters on the server, is prepared on
    # first use and planned once per connection (filings/directory.py, docs/benchmarks.md). Every
    # other query uses Django's client-side binding and is never prepared, so these two settings
    # change nothing else but the plans of the PL/pgSQL triggers, which are generic anyway.
    # Behind PgBouncer use session pooling, or transaction pooling with max_prepared_statements.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("prepare_threshold", 0)
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after repeated failed logins (django-axes, for every login form, the admin's included):
# LOGIN_FAILURE_LIMIT failures for one username, or LOGIN_ADDRESS_FAILURE_LIMIT from one client
# address (many usernames tried from one place), within the window lock it for the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AUTHENTICATION_BACKENDS = ["portal.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "portal.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = "portal.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, with its own limit
AXES_COOLOFF_TIME = "portal.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "portal.audit.client_ip"  # the trusted-proxy rule of the audit trail
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"  # the same answer as a wrong password
AXES_RESET_ON_SUCCESS = True
# A guess during the lock does not extend it, so nobody can keep another person's account shut.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# The audit trail records logins already; axes' own admin would offer an unaudited unlock.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

# Sessions: staff sign out after STAFF_SESSION_IDLE_MINUTES without a request and after
# STAFF_SESSION_MAX_HOURS in all; agency users after their own values (portal/security.py).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
AGENCY_SESSION_IDLE_MINUTES = env_int("AGENCY_SESSION_IDLE_MINUTES", 30)
AGENCY_SESSION_MAX_HOURS = env_int("AGENCY_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = max(STAFF_SESSION_MAX_HOURS, AGENCY_SESSION_MAX_HOURS) * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names from `collectstatic`, as production serves them (make run too); the tests
    # set STATIC_MANIFEST=0 (pyproject.toml) so that they need no collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded materials and receipts are confidential: stored outside any public path and served only
# through permission-checked views (no MEDIA_URL is routed).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "files")
MEDIA_URL = "/files-not-served/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery: with REDIS_URL a real broker; without it tasks run eagerly in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 0
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "portal.tasks.deliver_outbox", "schedule": 60.0},
    "run-deadlines": {"task": "portal.tasks.run_deadlines", "schedule": 15 * 60.0},
    "audit-checkpoint": {"task": "portal.tasks.audit_checkpoint", "schedule": 24 * 60 * 60.0},
}

# Checkpoints of the audit chain live outside the database, signed with a key that is not in it
# either (portal/audit_checkpoints.py, docs/architecture.md).
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("AUDIT_CHECKPOINT_FILE") or BASE_DIR / "var" / "audit-checkpoints.jsonl")
AUDIT_CHECKPOINT_KEY = os.environ.get("AUDIT_CHECKPOINT_KEY", "")
AUDIT_CHECKPOINT_KEY_FILE = Path(os.environ.get("AUDIT_CHECKPOINT_KEY_FILE") or BASE_DIR / "var" / "audit-checkpoint.key")
AUDIT_CHECKPOINT_EMAIL = os.environ.get("AUDIT_CHECKPOINT_EMAIL", "")

CACHES = {
    "default": (
        # Its own Redis database (or server) in production, so that flushing or evicting the
        # cache never touches the broker's queues (docs/deployment.md, section 8).
        {"BACKEND": "django.core.cache.backends.redis.RedisCache",
         "LOCATION": os.environ.get("REDIS_CACHE_URL") or REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# A hung mail server must not hold a worker past the outbox sweep's 10-minute reclaim window.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "备案监管平台 <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    # `make run` serves plain http on 127.0.0.1 with DEBUG off and turns these three off
    # (SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0); production keeps the defaults.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline script anywhere (scripts are static files); styles likewise, except in the Django
# admin, whose change list and import/export pages carry inline styles (portal/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
    "fullscreen", "display-capture", "serial", "bluetooth")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # axes logs every failed login as a warning; the audit trail records them already.
    "loggers": {"axes": {"level": "ERROR"}},
}
