"""moviedb settings. The environment is read here, once, and nowhere else."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = _env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")


def _site_url(name):
    """The site's public origin, e.g. https://films.example.org, or "" when not set."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a port that is no number)
        is_origin = parts.path in ("", "/") and not (
            parts.query or parts.fragment or "@" in parts.netloc
        )
    except (ValidationError, ValueError):
        is_origin = False
    if not is_origin:
        raise ImproperlyConfigured(
            f"{name} must be the site's origin, such as https://films.example.org, not {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


# The origin of every absolute URL the site writes (canonical links, og:url, JSON-LD, the
# site map, robots.txt); without it, the origin the request came in on (moviedb/origin.py).
SITE_URL = _site_url("DJANGO_SITE_URL")

# What exportfilms does with facts from sources whose terms forbid redistribution (IMDb's
# datasets, films/provenance.py): "include" them, or "omit" them from the document.
EXPORT_RESTRICTED_SOURCES = os.environ.get("DJANGO_EXPORT_RESTRICTED_SOURCES", "include").strip()
if EXPORT_RESTRICTED_SOURCES not in ("include", "omit"):
    raise ImproperlyConfigured(
        "DJANGO_EXPORT_RESTRICTED_SOURCES must be include or omit, "
        f"not {EXPORT_RESTRICTED_SOURCES!r}."
    )


def _tile_origin(url):
    """The origin a map tile URL template loads from, as the Content Security Policy names
    it: "https://tile.example.org", or "https://*.tile.example.org" for "{s}.tile..."."""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or "{" in host:
        raise ImproperlyConfigured(
            f"DJANGO_MAP_TILE_URL must be an http(s) URL with {{z}}, {{x}} and {{y}} in its "
            f"path, not {url!r}."
        )
    return f"{parts.scheme}://{host}"


# A tile server makes the maps of filming locations zoomable (Leaflet); without one they are
# drawn on the server (films/maps.py). Its origin is the only one images may come from.
MAP_TILE_URL = os.environ.get("DJANGO_MAP_TILE_URL", "").strip()
MAP_TILE_ORIGIN = _tile_origin(MAP_TILE_URL) if MAP_TILE_URL else ""
MAP_TILE_ATTRIBUTION = os.environ.get("DJANGO_MAP_TILE_ATTRIBUTION", "").strip()

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}

# PostgreSQL: give up connecting after a few seconds instead of hanging a worker, and cancel
# any statement that runs longer than DATABASE_STATEMENT_TIMEOUT milliseconds (0: never).
DATABASE_CONNECT_TIMEOUT = _env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = _env_int("DATABASE_STATEMENT_TIMEOUT", 30_000)


def _postgres_options():
    return {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}",
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_postgres_options())

# Read replicas: anonymous page views read from one of them, everything else (the admin,
# imports, any request that writes) uses the primary. See moviedb/routers.py.
DATABASE_REPLICAS = []
for _index, _url in enumerate(_env_list("DATABASE_REPLICA_URLS", "")):
    _replica = dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True)
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        _replica.setdefault("OPTIONS", {}).update(_postgres_options())
    # Tests run the replica against the primary's test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_index}")
DATABASE_ROUTERS = ["moviedb.routers.PrimaryReplicaRouter"]
# After a change, a replica may lag behind the primary for up to this many seconds: pages
# rendered in that window are served but not cached, so no stale page outlives it.
DATABASE_REPLICA_LAG = _env_int("DATABASE_REPLICA_LAG", 5) if DATABASE_REPLICAS else 0
# Each process checks each replica this often; one that is down or further behind than
# DATABASE_REPLICA_LAG is skipped until a check finds it fit again (moviedb/replicas.py).
DATABASE_REPLICA_CHECK_SECONDS = _env_int("DATABASE_REPLICA_CHECK_SECONDS", 3)

INSTALLED_APPS = [
    "moviedb.admin.MoviedbAdminConfig",  # django.contrib.admin with moviedb.admin.AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "films",
    "axes",
]

# The pages' data (films/data.py): public and read-only, JSON or streamed CSV, described by
# drf-spectacular at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "moviedb data",
    "DESCRIPTION": (
        "Every list and detail page of the site as JSON: add `.json` to its path and keep "
        "its query string. Lists are paged with `next` and `previous` links."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["films.data.json_endpoints_only"],
    # What Django's slug converter matches: any other slug is no address at all.
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}},
}

MIDDLEWARE = [
    # Outermost, so that every response, a cached page too, carries its own request's id.
    "moviedb.request_log.RequestIdMiddleware",
    "moviedb.http.PolicyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "moviedb.http.StaticFilesMiddleware",
    "moviedb.media.MediaFilesMiddleware",
    # Conditional GET sits outside the page cache, so cached pages answer 304 too.
    "django.middleware.http.ConditionalGetMiddleware",
    "moviedb.middleware.PageCacheMiddleware",
    # Inside the page cache: a cached page keeps the policy it was sent with (a page whose
    # policy names a nonce is never cached), so a hit does not build it again.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the page cache: only what it does not answer counts towards the rate limit, and
    # pages are compressed before it keeps them, so a cached page is never compressed again.
    "moviedb.ratelimit.RateLimitMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "moviedb.middleware.ReplicaReadsMiddleware",
    # Inside replica reads, so that a retried request reads from the primary.
    "moviedb.retry.ConnectionRetryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "moviedb.urls"
WSGI_APPLICATION = "moviedb.wsgi.application"

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
                "django.template.context_processors.csp",
                "films.paths.site_paths",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded pictures (films/pictures.py). By default files under MEDIA_ROOT, served by
# moviedb/media.py; with DJANGO_MEDIA_S3_BUCKET, an S3-compatible bucket (django-storages),
# whose objects are public and addressed without signatures, so that a page's picture
# addresses are made without asking the storage.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
MAX_IMAGE_BYTES = _env_int("DJANGO_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = _env_int("DJANGO_MAX_IMAGE_PIXELS", 40_000_000)
if MEDIA_S3_BUCKET := os.environ.get("DJANGO_MEDIA_S3_BUCKET", "").strip():
    _region = os.environ.get("DJANGO_MEDIA_S3_REGION") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            # Objects are addressed as <endpoint>/<bucket>/<name>, so that the endpoint is
            # the one origin pictures come from.
            "endpoint_url": os.environ.get("DJANGO_MEDIA_S3_ENDPOINT_URL")
            or f"https://s3.{_region or 'us-east-1'}.amazonaws.com",
            "addressing_style": "path",
            "region_name": _region,
            "custom_domain": os.environ.get("DJANGO_MEDIA_S3_CUSTOM_DOMAIN") or None,
            # Readable by everyone: by the bucket's policy, or by this ACL on each object.
            "default_acl": os.environ.get("DJANGO_MEDIA_S3_ACL") or None,
            "querystring_auth": False,
            "file_overwrite": True,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    # The origin pictures come from, which the Content Security Policy allows.
    _media = STORAGES["default"]["OPTIONS"]
    MEDIA_URL = (
        f"https://{_media['custom_domain']}/"
        if _media["custom_domain"]
        else f"{_media['endpoint_url'].rstrip('/')}/{MEDIA_S3_BUCKET}/"
    )

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Security headers. Behind a proxy that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER
# to the header and value the proxy sends on HTTPS requests, e.g.
# "HTTP_X_FORWARDED_PROTO,https"; the proxy must set or strip that header on every request.
if _proxy_ssl_header := _env_list("DJANGO_SECURE_PROXY_SSL_HEADER", ""):
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER must be a header and a value, "
            "e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health checks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = _env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on every response by moviedb.http.PolicyHeadersMiddleware: the pages use none of
# these browser features, and no other site may embed this one's files.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
    )
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # W021 asks for the HSTS preload flag. Preloading asks browsers to hard-code HTTPS for
    # the domain and every subdomain, and is slow to undo: the operator opts in, the code
    # does not.
    SILENCED_SYSTEM_CHECKS.append("security.W021")


def _origin_of(url):
    """[scheme://host[:port]] of an absolute URL; [] for a path on this site."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content Security Policy: everything from this origin, nothing inline unless it carries the
# request's nonce ({{ csp_nonce }}), no eval, no plugins, no framing. JSON-LD and other
# data blocks are not executed and need no nonce. A page that uses the nonce is not cached.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Pictures come from the media origin when they are not on this site's own.
    "img-src": [CSP.SELF, *_origin_of(MEDIA_URL), *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Logging: errors with their tracebacks and warnings go to stderr (gunicorn's error log), one
# access line per request to stdout. Every line names the request it was written for
# (moviedb/request_log.py), the traceback's lines too.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "moviedb.request_log.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "moviedb.request_log.RequestIdFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
        "access": {
            "()": "moviedb.request_log.RequestIdFormatter",
            "format": "%(asctime)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "line",
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "access",
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers print only while debugging: its records go to the root's.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "moviedb.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        # django-axes announces itself at INFO in every process, management commands too.
        "axes": {"level": "WARNING"},
    },
}
# Error tracking (optional): with SENTRY_DSN set, errors are also reported to Sentry, each
# tagged with its request id. Needs the `sentry` extra: pip install -e ".[sentry]".
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install -e ".[sentry]".'
        ) from None
    from moviedb.request_log import tag_error_report

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        before_send=tag_error_report,
    )

# The admin: its address, Argon2 password hashes, and login throttling. Five failed logins
# for the same user name from the same address lock that pair out for the cool-off period.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify, and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Axes keeps the user name of each attempt in a 255-character column; any typed name must
# be counted, never refused by the database (moviedb/admin.py).
AXES_USERNAME_CALLABLE = "moviedb.admin.lockout_username"
# An editor's session lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = 8 * 60 * 60
# Behind proxies, the client's address is the one the nearest trusted proxy appended to
# X-Forwarded-For; DJANGO_TRUSTED_PROXY_COUNT says how many proxies stand in front.
TRUSTED_PROXY_COUNT = _env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "moviedb.middleware.client_ip"

# Caching. Redis when REDIS_URL is set (shared by every process and host), local memory
# otherwise. The data version that keeps cached pages fresh must be shared by every worker:
# in Redis, or in a file on this host when there is no Redis (films/freshness.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("DJANGO_CACHE_KEY_PREFIX", "moviedb")
if REDIS_URL:
    _redis = {
        "BACKEND": "moviedb.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {"default": _redis, "freshness": {**_redis, "TIMEOUT": None}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "freshness": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": BASE_DIR / "var" / "freshness",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": None,
        },
    }
# How long the site keeps a rendered page (0: no page cache), and how long browsers and
# shared caches in front of it may reuse one without asking again (ETag revalidation).
PAGE_CACHE_SECONDS = _env_int("DJANGO_PAGE_CACHE_SECONDS", 600)
PAGE_MAX_AGE = _env_int("DJANGO_PAGE_MAX_AGE", 60)
# Pages a minute one client address may have rendered, beyond those the page cache serves
# (0: no limit); moviedb/ratelimit.py. django-ratelimit counts them in the default cache and
# lets requests through when it fails. It is not an installed app: all an app would add is a
# system check that warns on Django's own Redis backend and refuses the local-memory cache.
RATE_LIMIT = _env_int("DJANGO_RATE_LIMIT", 300)
RATELIMIT_FAIL_OPEN = True
# How long list totals and facet counts are kept (0: counted on every request). They are
# kept under the data version, so a change to the data makes them stale at once anyway.
COUNT_CACHE_SECONDS = _env_int("DJANGO_COUNT_CACHE_SECONDS", 3600)
