"""Settings, read strictly from the environment (see README, "Configuration").

Zero set-up default: SQLite under var/ and an embedded (filesystem) Celery broker.
Production: DATABASE_URL=postgres://…, REDIS_URL=redis://…, SECRET_KEY, ALLOWED_HOSTS.
"""

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants as csp
import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for local development).")
if SECRET_KEY is None:  # DEBUG only: a fixed, obviously unsafe key for local development.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.admin.HQAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "campaign",
    "notifications",
    "ledger",
    "inspections",
    "accountability",
    "maps",
    "public_reports",
    "assessment",
    "programme",
    "fieldwork",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A phone HQ cut off (X-Field-Device) is refused before anything runs (fieldwork/middleware.py).
    "fieldwork.middleware.RevokedDeviceMiddleware",
    # Unsafe /api/ requests with an Idempotency-Key run once; repeats get the kept answer.
    "campaign.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A control character in a query string is a 400 naming the parameter (bodies: parsers, forms).
    "campaign.middleware.ControlCharacterMiddleware",
    # A person who wrote something sees their task counts afresh (campaign/tasks_home.py).
    "campaign.middleware.ForgetTaskCountsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        # Django's, its check told of the i18n library replaced on purpose (campaign/template_backend.py).
        "BACKEND": "campaign.template_backend.Templates",
        "NAME": "django",  # the alias Django's own backend has (engines["django"])
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} keeping the address of a constant view name (campaign/templatetags/cached_url.py).
            "builtins": ["campaign.templatetags.cached_url"],
            # {% load i18n %}: Django's library, a constant {% translate %} kept once rendered.
            "libraries": {"i18n": "campaign.templatetags.kept_i18n"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaign.context_processors.campaign",
                "campaign.context_processors.task_menu",
                "ledger.context_processors.ledger_nav",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_url(
    "DATABASE_URL",
    ("sqlite", "postgres", "postgresql", "pgsql"),
    default=f"sqlite:///{VAR_DIR / 'healthcity.sqlite3'}",
)
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue up instead of failing at once; IMMEDIATE takes the write lock at BEGIN
        # so two transitions of the same row serialise instead of deadlocking.
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that tests with several threads or processes share one database.
    # Named by process so that parallel test runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-healthcity-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
    # The reports' many-aggregate statements spent up to 1.5 s each in PostgreSQL's JIT
    # compiler and gained nothing from it (bench/reports.py); page queries never need it.
    if not env_bool("POSTGRES_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "campaign.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with the session's person read without the ORM (campaign/auth_backends.py).
    "campaign.auth_backends.UserBackend",
    # Only for sessions signed in before UserBackend. UserBackend ends a sign-in whose password it
    # refuses (PermissionDenied), so no backend after it checks passwords again.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaign:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Throttles and lock-outs count by the client's address: the connection's own unless the app
# sits behind this many reverse proxies that each append to X-Forwarded-For (then the entry
# that many places from the end). A header the client wrote itself is never trusted.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "campaign.throttling.client_address"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
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
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are never served by a plain URL: views check who may see them first.
MEDIA_URL = "/media/"

# Uploaded files on S3-compatible object storage (README "Files on object storage (more than one
# host)"): with S3_BUCKET set, STORAGES["default"] is the bucket (private: nothing in it has a
# public address), else the local disk under MEDIA_ROOT. Every read and write goes through the
# storage API, so web and worker hosts share the bucket, never a disk.
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_url("S3_ENDPOINT_URL", ("http", "https"))
# The address browsers reach the bucket at, for the signed links of S3_SERVE=redirect (default:
# S3_ENDPOINT_URL); its origin is allowed for images then.
S3_PUBLIC_ENDPOINT_URL = env_url("S3_PUBLIC_ENDPOINT_URL", ("http", "https"))
S3_ACCESS_KEY = env_str("S3_ACCESS_KEY")
S3_SECRET_KEY = env_str("S3_SECRET_KEY")
S3_REGION = env_str("S3_REGION", "us-east-1")
S3_PREFIX = env_str("S3_PREFIX", "").strip("/")
# stream: the app reads the object and sends it (the bucket need not be reachable by browsers);
# redirect: the app answers with a link to the object signed for S3_URL_SECONDS.
S3_SERVE = env_str("S3_SERVE", "stream")
S3_URL_SECONDS = env_int("S3_URL_SECONDS", 120, minimum=60)
if S3_URL_SECONDS > 300:
    raise ImproperlyConfigured(f"S3_URL_SECONDS={S3_URL_SECONDS} must be at most 300: signed links stay short-lived.")
if S3_SERVE not in ("stream", "redirect"):
    raise ImproperlyConfigured(f"S3_SERVE={S3_SERVE!r} must be stream or redirect.")
_S3_SET = [name for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY",
                             "S3_PREFIX") if os.environ.get(name)]
if S3_BUCKET:
    if not (S3_ACCESS_KEY and S3_SECRET_KEY):
        raise ImproperlyConfigured("S3_BUCKET is set: S3_ACCESS_KEY and S3_SECRET_KEY must be set too.")
    STORAGES["default"] = {
        "BACKEND": "campaign.object_storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET, "endpoint_url": S3_ENDPOINT_URL, "public_endpoint_url": S3_PUBLIC_ENDPOINT_URL,
            "access_key": S3_ACCESS_KEY, "secret_key": S3_SECRET_KEY, "region_name": S3_REGION,
            "location": S3_PREFIX, "querystring_expire": S3_URL_SECONDS,
        },
    }
elif _S3_SET:
    raise ImproperlyConfigured(f"{', '.join(_S3_SET)} set without S3_BUCKET: set S3_BUCKET to store files on object storage.")

# Largest accepted upload (spreadsheets, photos); larger requests are refused before reading.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Browsers' HSTS preload list is for public internet domains; a city intranet host cannot be
# on it, so preloading is an opt-in and its reminder (security.W021) is silenced until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, images and connections from this site
# only (scripts and styles may also carry the request's nonce: {{ request.csp_nonce }}); no
# inline script, no eval, no style attribute. Images may be data: URIs (Bootstrap's CSS draws
# its icons with them). A map tile server (MAP_TILE_URL, a URL template such as
# https://tiles.example.gov.cn/{z}/{x}/{y}.png) adds its origin to images and connections.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
_tile = urlsplit(MAP_TILE_URL) if MAP_TILE_URL else None
if _tile is not None and (_tile.scheme not in ("http", "https") or not _tile.netloc):
    raise ImproperlyConfigured(f"MAP_TILE_URL={MAP_TILE_URL!r} must be an http:// or https:// URL.")
# A "{s}" subdomain placeholder (https://{s}.tiles.example.cn/…) becomes the CSP wildcard "*".
MAP_TILE_ORIGINS = [f"{_tile.scheme}://{_tile.netloc.replace('{s}', '*')}"] if _tile else []
# The tile server's coordinate system: "wgs84" (天地图, most GIS servers) or "gcj02" (many
# Chinese commercial maps); points and boundaries are stored in WGS-84 and shifted for display only.
MAP_TILE_CRS = env_str("MAP_TILE_CRS", "wgs84")
if MAP_TILE_CRS not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(f"MAP_TILE_CRS={MAP_TILE_CRS!r} must be wgs84 or gcj02.")
# 天地图 (tianditu.gov.cn): with a key and no MAP_TILE_URL, the map uses its WMTS vector and
# annotation layers (vec_w, cva_w: Web Mercator on CGCS2000, i.e. WGS-84 to within centimetres).
TIANDITU_KEY = env_str("TIANDITU_KEY", "")
if TIANDITU_KEY and not MAP_TILE_URL:
    MAP_TILE_ORIGINS = [f"https://t{n}.tianditu.gov.cn" for n in range(8)]
    MAP_TILE_CRS = "wgs84"
# The city's bounding box "south,west,north,east" in WGS-84 degrees, used when no district
# boundaries are loaded (they define the bounds once uploaded); empty: coordinates are not checked.
CITY_BOUNDS = env_str("CITY_BOUNDS", "")
if CITY_BOUNDS:
    try:
        _south, _west, _north, _east = (float(part) for part in CITY_BOUNDS.split(","))
    except ValueError:
        raise ImproperlyConfigured(f"CITY_BOUNDS={CITY_BOUNDS!r} must be four numbers: south,west,north,east.") from None
    if not (-90 <= _south < _north <= 90 and -180 <= _west < _east <= 180):
        raise ImproperlyConfigured(f"CITY_BOUNDS={CITY_BOUNDS!r}: need -90 <= south < north <= 90, "
                                   "-180 <= west < east <= 180.")
    CITY_BOUNDS = (_south, _west, _north, _east)
else:
    CITY_BOUNDS = None
# Boundary uploads (GeoJSON): the largest file, and the coordinate system the files are in.
GEOJSON_MAX_MB = env_int("GEOJSON_MAX_MB", 5, minimum=1)
GEOJSON_UPLOAD_CRS = env_str("GEOJSON_UPLOAD_CRS", "wgs84")
if GEOJSON_UPLOAD_CRS not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(f"GEOJSON_UPLOAD_CRS={GEOJSON_UPLOAD_CRS!r} must be wgs84 or gcj02.")
# The most points and problems one map answer carries ("showing N of M" beyond it).
MAP_MAX_FEATURES = env_int("MAP_MAX_FEATURES", 2000, minimum=1)
# Duplicate detection (ledger/nearby.py): open problems of the same category within this many
# metres and days of a new one are shown as likely duplicates.
NEARBY_RADIUS_M = env_int("NEARBY_RADIUS_M", 250, minimum=1)
NEARBY_DAYS = env_int("NEARBY_DAYS", 30, minimum=1)
# Photos redirected to signed links (S3_SERVE=redirect) load from the bucket's public address.
S3_IMAGE_ORIGINS = []
if S3_BUCKET and S3_SERVE == "redirect" and (S3_PUBLIC_ENDPOINT_URL or S3_ENDPOINT_URL):
    _s3_public = urlsplit(S3_PUBLIC_ENDPOINT_URL or S3_ENDPOINT_URL)
    S3_IMAGE_ORIGINS = [f"{_s3_public.scheme}://{_s3_public.netloc}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        # blob: the field app's previews of photos kept on the phone (fieldwork, static/js/field).
        "img-src": [csp.SELF, "data:", "blob:", *MAP_TILE_ORIGINS, *S3_IMAGE_ORIGINS],
        "connect-src": [csp.SELF, *MAP_TILE_ORIGINS],
        "font-src": [csp.SELF],
        # The field app's service worker (/sw.js) and manifest (/manifest.webmanifest).
        "worker-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "campaign.cache.RedisCache",  # Django's, one client per pool (campaign/cache.py)
            "LOCATION": REDIS_URL,
            # An unreachable Redis fails fast; callers then compute without it (campaign.cache).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 3},
        }
    }
    # Each request's session read from Redis, the database keeping every session (campaign/sessions.py).
    SESSION_ENGINE = "campaign.sessions"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A job taken by a worker that died comes back to the queue after this many seconds
        # (tasks are acknowledged late). Longer than the longest report.
        "visibility_timeout": env_int("REDIS_VISIBILITY_TIMEOUT", 3600, minimum=1),
        # A web request that enqueues while Redis is unreachable gives up quickly (the report
        # stays in the outbox and is sent later) instead of hanging.
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # Embedded broker: kombu's filesystem transport in var/broker. Same task code as on Redis,
    # no server to install. Web, worker and beat share the folder.
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# `make run` (scripts/serve.sh) starts the worker and beat with its own pid here: when that
# process is gone (even killed with SIGKILL), they stop by themselves (config/celery.py), a
# worker first finishing its task for at most STOP_GRACE_SECONDS. 0: not watched (production,
# where a supervisor such as Docker or systemd stops them).
EXIT_WITH_PARENT_PID = env_int("EXIT_WITH_PARENT_PID", 0, minimum=0)
STOP_GRACE_SECONDS = env_int("STOP_GRACE_SECONDS", 10, minimum=1)
# Report jobs go to this queue (a dedicated worker may serve it: `celery worker -Q reports`).
REPORTS_QUEUE = env_str("REPORTS_QUEUE", "celery")
# Notification deliveries go to this queue (`celery worker -Q notifications` may serve it alone).
NOTIFICATIONS_QUEUE = env_str("NOTIFICATIONS_QUEUE", "celery")
CELERY_TASK_ROUTES = {"reports.*": {"queue": REPORTS_QUEUE}, "notifications.*": {"queue": NOTIFICATIONS_QUEUE}}
# Times in CELERY_TIMEZONE (Asia/Shanghai): Monday 07:00 is Monday 07:00 in the city.
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "config.heartbeat", "schedule": 60.0},
    # Every kind of report (reports/kinds) of the period just ended: weekly ones on Monday,
    # monthly ones on the 1st, quarterly ones on the 1st of January, April, July and October.
    "reports-weekly": {"task": "reports.weekly_scheduled", "schedule": crontab(minute=0, hour=7, day_of_week="mon")},
    "reports-monthly": {"task": "reports.monthly_scheduled", "schedule": crontab(minute=0, hour=7, day_of_month="1")},
    "reports-quarterly": {"task": "reports.quarterly_scheduled",
                          "schedule": crontab(minute=30, hour=7, day_of_month="1", month_of_year="1,4,7,10")},
    "reports-overdue-sweep": {"task": "reports.overdue_sweep", "schedule": crontab(minute=5, hour=0)},
    "ledger-fingerprint": {"task": "ledger.tasks.ledger_fingerprint_take", "schedule": crontab(minute=15, hour=0)},
    "campaign-public-action-counts-purge": {
        "task": "campaign.tasks.public_action_counts_purge", "schedule": crontab(minute=20, hour=0)},
    # The API's idempotency keys older than IDEMPOTENCY_KEY_DAYS (campaign/idempotency.py).
    "campaign-idempotency-keys-purge": {
        "task": "campaign.tasks.idempotency_keys_purge", "schedule": crontab(minute=25, hour=0)},
    "imports-sweep": {"task": "campaign.tasks.sample_point_imports_sweep", "schedule": 300.0},
    "ledger-jobs-sweep": {"task": "ledger.tasks.ledger_jobs_sweep", "schedule": 300.0},
    "list-exports-sweep": {"task": "campaign.tasks.list_exports_sweep", "schedule": 300.0},
    "archive-exports-sweep": {"task": "assessment.tasks.archive_exports_sweep", "schedule": 300.0},
    "imports-expire": {"task": "campaign.tasks.sample_point_imports_expire", "schedule": crontab(minute=40, hour=3)},
    "ledger-imports-expire": {"task": "ledger.tasks.ledger_imports_expire", "schedule": crontab(minute=45, hour=3)},
    "reports-relay": {"task": "reports.relay", "schedule": 60.0},
    "notifications-relay": {"task": "notifications.relay", "schedule": 60.0},
    "ledger-deadline-reminders": {"task": "ledger.deadline_reminders", "schedule": crontab(minute=30, hour=8)},
    # After the overdue counts (00:05): supervision notices, interview list, proposals.
    "accountability-escalation-sweep": {"task": "accountability.escalation_sweep",
                                        "schedule": crontab(minute=20, hour=0)},
    # The rewards owed once problems reported by the public are verified closed.
    "public-rewards-sweep": {"task": "public_reports.rewards_sweep", "schedule": 600.0},
    # The supervision cycle: each round plan's round for its current period (one per period).
    "programme-round-plans-sweep": {"task": "programme.round_plans_sweep", "schedule": crontab(minute=10)},
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an anonymous API client gets 401 with WWW-Authenticate rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, the same bytes written by orjson (campaign/api/renderers.py); the browsable API.
    "DEFAULT_RENDERER_CLASSES": [
        "campaign.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's parsers, refusing a control character in any field (campaign/control_characters.py).
    "DEFAULT_PARSER_CLASSES": [
        "campaign.api.parsers.JSONParser",
        "campaign.api.parsers.FormParser",
        "campaign.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Strict paging (a malformed page or page_size is a 400) and one error shape: config/api.py.
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    # The same rule as campaign.throttling.client_address (None would trust X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Health City campaign API",
    "DESCRIPTION": "Headquarters command system for a National Health City campaign.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's documented bodies are JSON; uploads document multipart/form-data on their own
    # operations. (DRF also parses form bodies, which it reads with HTML-form rules: an empty
    # value means "not sent". Clients should not rely on that, so it is not documented.)
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Every operation's refusals (400 field errors, 401/403/404/415 {"detail"}) as answered.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_error_responses",
        # The optional Idempotency-Key header of every unsafe operation (campaign/idempotency.py).
        "campaign.idempotency.document_idempotency_key",
    ],
    # The intranet cannot reach swagger.io's online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "ProblemStatusEnum": "ledger.choices.Status",
        "ImportStatusEnum": "campaign.choices.ImportStatus",
        "ProblemActionEnum": "ledger.choices.Action",
        "ReportKindEnum": "reports.kinds.kind_choices",  # the registry's kinds (reports/kinds)
        "ReportStatusEnum": "reports.choices.ReportStatus",
        "PublicReportStatusEnum": "public_reports.choices.ReportStatus",
        "PublicRejectReasonEnum": "public_reports.choices.RejectReason",
        "PublicReportActionEnum": "public_reports.choices.ReportAction",
        "ActionObjectStatusEnum": "programme.choices.TargetStatus",
        "SurveyQuestionKindEnum": "assessment.models.satisfaction.QuestionKind",
        "VectorLevelEnum": "assessment.vectors.indicators.Level",
        "VectorThresholdLevelEnum": "assessment.vectors.indicators.THRESHOLD_LEVELS",
        "MaterialStatusEnum": "assessment.choices.MaterialStatus",
        "MaterialActionEnum": "assessment.choices.MaterialAction",
        "PairTaskKindEnum": "programme.choices.PairTaskKind",
        "PairTaskStatusEnum": "programme.choices.PairTaskStatus",
        "ProblemClassStatusEnum": "ledger.choices.ClassStatus",
        "ProblemClassActionEnum": "ledger.choices.ClassAction",
    },
}

# --- Domain settings ------------------------------------------------------------------------
# Background imports and exports: a worker that has not reported progress for this long is
# taken for dead and its job is sent again, up to JOB_MAX_ATTEMPTS times.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 900, minimum=10)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
# Imports larger than this many data rows run in the Celery worker with a progress bar.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500, minimum=1)
# Imports that wrote nothing (refused, failed, previewed and never confirmed) are deleted
# with any file they kept after this many days (a refused file is never kept).
IMPORT_RETENTION_DAYS = env_int("IMPORT_RETENTION_DAYS", 30, minimum=1)
# An API request's Idempotency-Key and its kept answer are deleted after this many days
# (campaign/idempotency.py); a phone's queue resends within hours or days.
IDEMPOTENCY_KEY_DAYS = env_int("IDEMPOTENCY_KEY_DAYS", 30, minimum=1)
# Ledger exports larger than this many rows are written by the worker, with a progress bar.
LEDGER_EXPORT_BACKGROUND_ROWS = env_int("LEDGER_EXPORT_BACKGROUND_ROWS", 5000, minimum=1)
# Exports of the other lists (sample points, inspections, sheets, people…) larger than this.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 5000, minimum=1)
# Issuing every unit's assignment sheet at once for more problems than this runs in the worker.
SHEET_ISSUE_BACKGROUND_PROBLEMS = env_int("SHEET_ISSUE_BACKGROUND_PROBLEMS", 500, minimum=1)
# Default rectification deadline, in days from assignment, by severity.
LEDGER_DEADLINE_DAYS = {
    "general": env_int("LEDGER_DEADLINE_GENERAL_DAYS", 7, minimum=1),
    "serious": env_int("LEDGER_DEADLINE_SERIOUS_DAYS", 3, minimum=1),
    "urgent": env_int("LEDGER_DEADLINE_URGENT_DAYS", 1, minimum=1),
}
# A finding at a point whose problem was closed within this many days is a rebound (反弹).
REBOUND_WINDOW_DAYS = env_int("REBOUND_WINDOW_DAYS", 90, minimum=1)
# The ledger's integrity (README, "The ledger's integrity"). New events' hashes are keyed with
# this secret, which the database never holds. Without it: derived from SECRET_KEY as
# HMAC-SHA256(SECRET_KEY, "health-city-hq/ledger-event-hmac/v1"), a key of its own (domain
# separation), never SECRET_KEY itself. When it changes, keep the old one in LEDGER_HMAC_OLD_KEYS.
LEDGER_HMAC_KEY = env_str("LEDGER_HMAC_KEY") or hmac.new(
    SECRET_KEY.encode(), b"health-city-hq/ledger-event-hmac/v1", hashlib.sha256
).hexdigest()
if len(LEDGER_HMAC_KEY) < 32:
    raise ImproperlyConfigured("LEDGER_HMAC_KEY must be at least 32 characters long.")
# Keys retired from LEDGER_HMAC_KEY (comma-separated): the events they made stay verifiable.
LEDGER_HMAC_OLD_KEYS = env_list("LEDGER_HMAC_OLD_KEYS", [])
# The daily fingerprints of the ledger's chain heads: one file a day, never overwritten, in a
# directory the database (and its user) cannot write.
LEDGER_FINGERPRINT_DIR = Path(env_str("LEDGER_FINGERPRINT_DIR", str(VAR_DIR / "fingerprints")))
# Evidence photos: largest upload, largest picture, and the size they are stored at.
PHOTO_MAX_MB = env_int("PHOTO_MAX_MB", 15, minimum=1)
# The materials archive (assessment/archive/files.py): the largest file a unit may upload, and
# for Word/Excel files (ZIP inside) the most they may unpack to, in members and in bytes.
ARCHIVE_MAX_MB = env_int("ARCHIVE_MAX_MB", 30, minimum=1)
ARCHIVE_MAX_UNPACKED_MB = env_int("ARCHIVE_MAX_UNPACKED_MB", 200, minimum=1)
ARCHIVE_MAX_MEMBERS = env_int("ARCHIVE_MAX_MEMBERS", 2000, minimum=10)
ARCHIVE_MAX_RATIO = env_int("ARCHIVE_MAX_RATIO", 100, minimum=10)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000, minimum=1_000_000)
PHOTO_STORED_MAX_SIDE = 2560
PHOTO_THUMBNAIL_SIDE = 320
# Public pages (campaign/public_guard): per kind of public action, how many a client address and
# a mobile number may do a day (other kinds, e.g. the satisfaction survey, add their own entry);
# the proof of work asked after the first PUBLIC_CHALLENGE_FREE_PER_DAY actions of the day from an
# address (0: always): PUBLIC_CHALLENGE_SOLUTIONS nonces whose SHA-256 starts with
# PUBLIC_CHALLENGE_BITS zero bits (8 x 14 bits: about 130,000 hashes, well under a second on a
# desktop and 1-2 s on a phone), and how long a challenge stays valid.
PUBLIC_LIMITS = {
    "report": {
        "per_address": env_int("PUBLIC_REPORTS_PER_ADDRESS_PER_DAY", 10, minimum=1),
        "per_mobile": env_int("PUBLIC_REPORTS_PER_MOBILE_PER_DAY", 5, minimum=1),
    },
}
# Open311 POSTs (public_reports/open311) come from other systems: counted per client address and
# per resident's mobile number as "open311", and per API key as "open311_key" (its per_address is
# the key's daily limit; the key is counted under its own name, never a client address).
PUBLIC_LIMITS["open311"] = {
    "per_address": env_int("OPEN311_REQUESTS_PER_ADDRESS_PER_DAY", 500, minimum=1),
    "per_mobile": PUBLIC_LIMITS["report"]["per_mobile"],
}
PUBLIC_LIMITS["open311_key"] = {
    "per_address": env_int("OPEN311_REQUESTS_PER_KEY_PER_DAY", 1000, minimum=1),
    "per_mobile": 0,
}
# The public-satisfaction survey (assessment, /survey/<slug>/): answers per client address a day
# (besides one per device a day); no mobile number is asked.
PUBLIC_LIMITS["survey"] = {
    "per_address": env_int("PUBLIC_SURVEY_ANSWERS_PER_ADDRESS_PER_DAY", 20, minimum=1),
    "per_mobile": 0,
}
# The address residents reach the survey at (the proxy's, e.g. https://cw.example.gov.cn), printed
# in its QR code; blank: the address HQ's own request came to.
PUBLIC_SURVEY_BASE_URL = env_str("PUBLIC_SURVEY_BASE_URL", "").rstrip("/")
# Open311 reads per client address (DRF's rate format: N/second|minute|hour|day).
OPEN311_READ_RATE = env_str("OPEN311_READ_RATE", "120/minute")
# Tracking pages and the code lookup (/report/track/) per client address: tracking codes are
# sequential, so a slow rate keeps anyone from walking through them; a resident following their
# own report with its follow link is never refused.
PUBLIC_TRACKING_RATE = env_str("PUBLIC_TRACKING_RATE", "60/minute")
# The jurisdiction_id Open311 clients may send (blank: any value, the city is the only one).
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "")
PUBLIC_CHALLENGE_FREE_PER_DAY = env_int("PUBLIC_CHALLENGE_FREE_PER_DAY", 1, minimum=0)
PUBLIC_CHALLENGE_BITS = env_int("PUBLIC_CHALLENGE_BITS", 14, minimum=1)
if PUBLIC_CHALLENGE_BITS > 32:
    raise ImproperlyConfigured(f"PUBLIC_CHALLENGE_BITS={PUBLIC_CHALLENGE_BITS} would take a phone hours; use 32 or fewer.")
PUBLIC_CHALLENGE_SOLUTIONS = env_int("PUBLIC_CHALLENGE_SOLUTIONS", 8, minimum=1)
if PUBLIC_CHALLENGE_SOLUTIONS > 64:
    raise ImproperlyConfigured(f"PUBLIC_CHALLENGE_SOLUTIONS={PUBLIC_CHALLENGE_SOLUTIONS}: use 64 or fewer.")
PUBLIC_CHALLENGE_TTL_SECONDS = env_int("PUBLIC_CHALLENGE_TTL_SECONDS", 600, minimum=60)
# Weekly exposure (周曝光): how many problems each "worst" list shows, and the red and black
# lists' published rule: units and districts with at least REPORT_EXPOSURE_MIN_DUE problems
# due in the week are ordered by 按期结案率 (on-time closure rate), then by fewer overdue at
# week end; the first N are the red list, the last N of the others the black list.
REPORT_EXPOSURE_PROBLEMS = env_int("REPORT_EXPOSURE_PROBLEMS", 10, minimum=1)
REPORT_EXPOSURE_UNITS = env_int("REPORT_EXPOSURE_UNITS", 5, minimum=1)
REPORT_EXPOSURE_DISTRICTS = env_int("REPORT_EXPOSURE_DISTRICTS", 2, minimum=1)
REPORT_EXPOSURE_MIN_DUE = env_int("REPORT_EXPOSURE_MIN_DUE", 3, minimum=1)
# Monthly comparison (月比拼): the published formula's weights (points out of their sum) over
# the standard indicators, and how many problems must fall due in the month to be ranked.
REPORT_COMPARISON_WEIGHTS = {
    "inspection_score": env_int("REPORT_WEIGHT_INSPECTION_SCORE", 30, minimum=0),
    "closure_rate": env_int("REPORT_WEIGHT_CLOSURE_RATE", 20, minimum=0),
    "on_time_rate": env_int("REPORT_WEIGHT_ON_TIME_RATE", 30, minimum=0),
    "rebound_rate": env_int("REPORT_WEIGHT_REBOUND_RATE", 10, minimum=0),
    "rejection_rate": env_int("REPORT_WEIGHT_REJECTION_RATE", 10, minimum=0),
    # Accountability records (accountability/): off until HQ gives it a weight.
    "accountability": env_int("REPORT_WEIGHT_ACCOUNTABILITY", 0, minimum=0),
    # Pairing (programme/): pair tasks due in the month done on time; off until HQ gives it a weight.
    "pairing": env_int("REPORT_WEIGHT_PAIRING", 0, minimum=0),
}
if not any(REPORT_COMPARISON_WEIGHTS.values()):
    raise ImproperlyConfigured("REPORT_WEIGHT_*: at least one weight of the monthly comparison must be above 0.")
REPORT_COMPARISON_MIN_DUE = env_int("REPORT_COMPARISON_MIN_DUE", 5, minimum=1)
# The leaders' dashboard keeps its figures this long per scope (0: computed on every view).
REPORT_DASHBOARD_CACHE_SECONDS = env_int("REPORT_DASHBOARD_CACHE_SECONDS", 300, minimum=0)
# How long the task counts in the menu are kept per person (0: counted on every page).
TASK_COUNTS_CACHE_SECONDS = env_int("TASK_COUNTS_CACHE_SECONDS", 60, minimum=0)

# Reports (reports/): a worker holds a report for REPORT_LEASE_SECONDS, extended while it
# makes progress; after that another worker may take it over. A report whose worker died
# REPORT_MAX_ATTEMPTS times is failed. Soft limit: the report fails with a reason; hard limit:
# the worker process is killed.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 300, minimum=2)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1)
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 1800, minimum=10)
REPORT_TIME_LIMIT = REPORT_SOFT_TIME_LIMIT + 120
# A report sent to the broker but still queued after this long is sent again (a lost message).
REPORT_RESEND_AFTER_SECONDS = env_int("REPORT_RESEND_AFTER_SECONDS", 600, minimum=10)
# When a worker starts and every morning: request the last finished period's reports that do
# not exist yet (`make run` started mid-week still shows last week's reports).
REPORTS_CATCH_UP = env_bool("REPORTS_CATCH_UP", True)

# Notifications (notifications/, README "Notifications"). Channels besides the in-app inbox, as
# backends (dotted paths); an SMS gateway is one more (notifications.backends.sms is an example).
NOTIFICATION_BACKENDS = env_list("NOTIFICATION_BACKENDS", [
    "notifications.backends.email.EmailBackend",
    "notifications.backends.webhooks.WeComRobotBackend",
    "notifications.backends.webhooks.DingTalkRobotBackend",
])
# Links in emails and group messages are made absolute with this (e.g. https://chuangwei.example.gov.cn).
NOTIFICATION_SITE_URL = env_str("NOTIFICATION_SITE_URL", "")
# A webhook that has not answered after this many seconds has failed (and is tried again).
NOTIFICATION_HTTP_TIMEOUT = env_int("NOTIFICATION_HTTP_TIMEOUT", 10, minimum=1)
# Tries of one delivery before it is failed; waits between them double from the base to the maximum.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5, minimum=1)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30, minimum=1)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600, minimum=1)
# A delivery still pending this long after its time is sent again by the sweep (a lost message).
NOTIFICATION_RESEND_AFTER_MINUTES = env_int("NOTIFICATION_RESEND_AFTER_MINUTES", 10, minimum=1)
# The unread count in the menu is kept this long per person (forgotten when they read or get one).
NOTIFICATION_UNREAD_CACHE_SECONDS = env_int("NOTIFICATION_UNREAD_CACHE_SECONDS", 60, minimum=0)
# The daily digest goes out at this local time (HH:MM, Asia/Shanghai).
NOTIFICATION_DIGEST_TIME = env_str("NOTIFICATION_DIGEST_TIME", "18:00")
try:
    _digest_hour, _digest_minute = (int(part) for part in NOTIFICATION_DIGEST_TIME.split(":"))
    if not (0 <= _digest_hour < 24 and 0 <= _digest_minute < 60):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(f"NOTIFICATION_DIGEST_TIME={NOTIFICATION_DIGEST_TIME!r} must be HH:MM.") from None
CELERY_BEAT_SCHEDULE["notifications-digests"] = {
    "task": "notifications.digests", "schedule": crontab(minute=_digest_minute, hour=_digest_hour)}
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "healthcity@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

LANGUAGE_COOKIE_NAME = "django_language"
SITE_TITLE = _("Health City Headquarters")

# --- Model sites (programme/services/sites.py) -------------------------------------------------
# A model site stays one while the average score of its recent submitted inspections (the last
# MODEL_SITE_RECENT_INSPECTIONS within MODEL_SITE_RECENT_DAYS) is at least MODEL_SITE_MIN_SCORE;
# the daily sweep suspends it otherwise (no inspection in the period: it keeps its status).
MODEL_SITE_MIN_SCORE = env_int("MODEL_SITE_MIN_SCORE", 85, minimum=0)
MODEL_SITE_RECENT_INSPECTIONS = env_int("MODEL_SITE_RECENT_INSPECTIONS", 3, minimum=1)
MODEL_SITE_RECENT_DAYS = env_int("MODEL_SITE_RECENT_DAYS", 90, minimum=1)
CELERY_BEAT_SCHEDULE["programme-model-sites-sweep"] = {
    "task": "programme.model_sites_sweep", "schedule": crontab(minute=50, hour=0)}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "ModelSiteStatusEnum": "programme.models.sites.ModelSiteStatus",
    "BuildoutStateEnum": "programme.models.sites.BuildoutState",
})
