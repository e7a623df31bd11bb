"""Django settings. Everything that differs between a laptop demo and production comes from the environment.

Environment:
  PANHUO_HOME        folder for both stores and generated files (default ./var)
  DATABASE_URL       operational store; unset = SQLite file in PANHUO_HOME
  SECRET_KEY         unset = random key generated once into PANHUO_HOME/secret_key
  DEBUG              default off
  ALLOWED_HOSTS      comma separated (default 127.0.0.1,localhost)
  PANHUO_HTTPS       default on: secure cookies, HSTS, redirect to https. The demo turns it off
                     because it serves plain http on the loopback interface.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from panhuo.config import env_bool, env_list, owner_only_files, panhuo_home, secret_key, sqlite_path

# Any process that loads these settings (web server, manage commands, tests) writes owner-only files.
owner_only_files()
PACKAGE_DIR = Path(__file__).resolve().parent
HOME = panhuo_home()

SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "panhuo.accounts",
    "panhuo.clients",
    "panhuo.audit",
    "panhuo.imports",
    "panhuo.web",
    "panhuo.workbench",
    "panhuo.marketweb",
    "panhuo.campaigns",
    "panhuo.allocationweb",
    "panhuo.surveys",
    "panhuo.appraisal",
    "panhuo.kpis",
    "panhuo.api",
    "rest_framework",
    "drf_spectacular",
    "panhuo.events",
    "panhuo.complaints",
    "panhuo.training",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "panhuo.web.middleware.IdleSessionMiddleware",
    "panhuo.web.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Secure by default: every view needs a login unless it is explicitly marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a refused log-in into the lockout page (panhuo.accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "panhuo.urls"
WSGI_APPLICATION = "panhuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "panhuo.web.context_processors.panhuo",
            ],
        },
    },
]

_database_url = env_list("DATABASE_URL", [])
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url[0], conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # The planner's default random_page_cost (4) prices an index probe for a spinning disk; the operational
        # store sits in memory or on SSD. At a million clients the default made the client list hash-join the
        # whole funnel table (49 ms) instead of probing it for the advisor's 500 clients (8 ms). A DBA's own
        # `options` in DATABASE_URL wins.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path()),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": str(HOME / "test-panhuo.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling (django-axes; docs/security.md). The axes backend comes first: it refuses a locked-out
# account or address before the password is even checked, so the right password does not get through either.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]   # an account, and an address, each counted on its own
AXES_HANDLER = "panhuo.accounts.lockout.LockoutHandler"   # one limit per account, a higher one per address
AXES_FAILURE_LIMIT = 5          # failures on one account (the address limit is in accounts.lockout)
AXES_COOLOFF_TIME = timedelta(minutes=15)   # the lock lifts by itself after 15 quiet minutes
AXES_RESET_ON_SUCCESS = True    # a successful log-in forgives the account's earlier typos
AXES_LOCKOUT_CALLABLE = "panhuo.accounts.lockout.lockout_response"
AXES_VERBOSE = False            # no start-up banner; failures and lockouts go to the audit trail
if env_bool("PANHUO_BEHIND_PROXY", False):
    # Behind the branch's reverse proxy the address is the one it puts in X-Forwarded-For.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first: the branch's staff read Simplified Chinese; English is one click away.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date format (YYYY-MM-DD) in both languages, also for dates printed without a filter.
FORMAT_MODULE_PATH = ["panhuo.formats"]
TIME_ZONE = "Asia/Shanghai"

# Suitability (docs/suitability.md): how long a risk-tolerance assessment stays valid (years; an expired one blocks
# recommendations until the client is assessed again), and how long a questionnaire link sent to a client works.
PANHUO_RISK_ASSESSMENT_VALID_YEARS = int(os.environ.get("PANHUO_RISK_ASSESSMENT_VALID_YEARS", "2"))
PANHUO_QUESTIONNAIRE_LINK_DAYS = int(os.environ.get("PANHUO_QUESTIONNAIRE_LINK_DAYS", "7"))
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on a missing root even when it serves from the finders
# Serve straight from the apps' static folders, so a demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Client data is personal data: short idle sessions, cookies never readable by scripts.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False   # panhuo.web.middleware.IdleSessionMiddleware keeps a used session alive
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never inline, so an
# injected <script> or onclick= does not run. Data URLs only for images (the favicon, chart downloads).
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

HTTPS = env_bool("PANHUO_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PANHUO_BEHIND_PROXY", False) else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # axes logs every failed log-in with the name and address masked, which tells nothing: the audit trail has them.
    "loggers": {"axes": {"level": "ERROR"}},
}

# Reports by mail (`panhuo report send`): Django's email backend over the same SMTP settings as the campaigns'
# email sender (outreach.senders); without PANHUO_SMTP_HOST the mails are written to the console.
if os.environ.get("PANHUO_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["PANHUO_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("PANHUO_SMTP_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("PANHUO_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("PANHUO_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("PANHUO_SMTP_STARTTLS", "0") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("PANHUO_SMTP_FROM", "noreply@example.com")


# The REST API (/api/v1/, panhuo.api): a bearer token per user (kept as a digest), nothing anonymous, JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["panhuo.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "panhuo API",
    "DESCRIPTION": "Scores, tasks, contacts and campaigns for the firm's other systems. Each request carries "
                   "`Authorization: Bearer <token>` (`panhuo users token NAME`); the caller sees what the same "
                   "user sees in the app, and every read of client data is audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}
