"""moviedb settings. The environment is read here, once, and nowhere else."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
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
    "films",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Conditional GET sits outside the page cache, so cached pages answer 304 too.
    "django.middleware.http.ConditionalGetMiddleware",
    "moviedb.middleware.PageCacheMiddleware",
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
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # W021 asks for the HSTS preload flag. Preloading asks browsers to hard-code HTTPS for
    # the domain and every subdomain, and is slow to undo: the operator opts in, the code
    # does not.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content Security Policy: everything from this origin, nothing inline unless it carries the
# request's nonce ({{ csp_nonce }}), no eval, no plugins, no framing. JSON-LD and other
# data blocks are not executed and need no nonce. A page that uses the nonce is not cached.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

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
# How long list totals and facet counts are kept (0: counted on every request). They are
# kept under the data version, so a change to the data makes them stale at once anyway.
COUNT_CACHE_SECONDS = _env_int("DJANGO_COUNT_CACHE_SECONDS", 3600)
