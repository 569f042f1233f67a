"""Django settings, from environment variables with safe local defaults (see codingwatch.config).

Every variable read here is listed, with its default and meaning, in SETTINGS_DOC below and in
docs/web.md; a test fails when one is missing from the guide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from codingwatch import config
from codingwatch.web.accounts.clientip import trusted_networks

WEB_DIR = Path(__file__).resolve().parent

# The environment variables the web app reads: name -> (default, meaning), from the registry of
# settings (codingwatch.config.SETTINGS), so the guide can be checked against it.
SETTINGS_DOC = {
    name: (entry.default_text, entry.help) for name, entry in config.SETTINGS.items() if entry.docs == "web.md"
}

DEBUG = config.setting("CODINGWATCH_DEBUG")
SECRET_KEY = config.secret_key()
ALLOWED_HOSTS = config.setting("CODINGWATCH_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = config.setting("CODINGWATCH_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "codingwatch.web.accounts",
    "codingwatch.web.organizations",
    "codingwatch.web.vendors",
    "codingwatch.web.dashboard",
    "codingwatch.web.denials",
    "codingwatch.web.scorecard",
    "codingwatch.web.costs",
    "codingwatch.web.sampling",
    "codingwatch.web.audits",
    "codingwatch.web.provenance",
    "codingwatch.web.notifications",
    "codingwatch.web.home",
    "codingwatch.web.diligence",
    "codingwatch.web.review",
    "codingwatch.web.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Just inside WhiteNoise: no-store on everything a login protects, JSON for every API error.
    "codingwatch.web.serving.NoStoreMiddleware",
    "codingwatch.web.serving.ApiErrorsAsJsonMiddleware",
    "codingwatch.web.serving.CodingwatchErrorMiddleware",  # a CodingwatchError: its message, status 400
    "codingwatch.web.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "codingwatch.web.accounts.middleware.LoginRequiredMiddleware",
    "codingwatch.web.accounts.middleware.SecondFactorMiddleware",
    "codingwatch.web.accounts.middleware.RoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "codingwatch.web.urls"
WSGI_APPLICATION = "codingwatch.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "codingwatch.web.notifications.context.unread",
            ]
        },
    }
]

_database_url = config.setting("DATABASE_URL")
if not _database_url:
    config.var_dir().mkdir(parents=True, exist_ok=True)
    _database_url = f"sqlite:///{config.var_dir() / 'codingwatch.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite has no row locks (select_for_update is a no-op there): a transaction that takes the
    # write lock when it begins, waiting up to 20 s for it, makes locked sections one at a time
    # there too, where a deferred one would fail with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

STATIC_URL = "static/"
STATIC_ROOT = config.var_dir() / "static"
# Serve straight from the app folders (no collectstatic needed for `codingwatch serve`);
# production serves the collected, hashed files instead.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [WEB_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ---- accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# OpenID Connect single sign-on (mozilla-django-oidc; accounts.sso maps the claims to a user).
OIDC_OP_ISSUER = config.setting("CODINGWATCH_OIDC_ISSUER")
OIDC_RP_CLIENT_ID = config.setting("CODINGWATCH_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = config.setting("CODINGWATCH_OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = config.setting("CODINGWATCH_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = config.setting("CODINGWATCH_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = config.setting("CODINGWATCH_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = config.setting("CODINGWATCH_OIDC_JWKS_ENDPOINT")
OIDC_OP_END_SESSION_ENDPOINT = config.setting("CODINGWATCH_OIDC_END_SESSION_ENDPOINT")
# the ID token is kept in the session to end the provider's session at logout (id_token_hint)
OIDC_STORE_ID_TOKEN = True
OIDC_ROLE_CLAIM = config.setting("CODINGWATCH_OIDC_ROLE_CLAIM")
OIDC_ORGANIZATION_CLAIM = config.setting("CODINGWATCH_OIDC_ORGANIZATION_CLAIM")
OIDC_VENDOR_CLAIM = config.setting("CODINGWATCH_OIDC_VENDOR_CLAIM")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=refused"
if OIDC_OP_ISSUER and OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("codingwatch.web.accounts.sso.SingleSignOnBackend")

# The second factor (django-otp: TOTP and single-use recovery codes; accounts.mfa).
# Notification emails (notifications.deliver): SMTP when a host is set, else the console.
SITE_URL = config.setting("CODINGWATCH_SITE_URL")
EMAIL_HOST = config.setting("CODINGWATCH_EMAIL_HOST")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = config.setting("CODINGWATCH_EMAIL_PORT")
EMAIL_HOST_USER = config.setting("CODINGWATCH_EMAIL_USER")
EMAIL_HOST_PASSWORD = config.setting("CODINGWATCH_EMAIL_PASSWORD")
EMAIL_USE_TLS = config.setting("CODINGWATCH_EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = config.setting("CODINGWATCH_EMAIL_FROM")

MFA_REQUIRED = config.setting("CODINGWATCH_MFA_REQUIRED")
OTP_TOTP_ISSUER = "codingwatch"
# Nobody but the user ever sees an authenticator's secret: the admin screens hide keys and QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Idle timeout: the session lives this long after the last request (saved on every request).
IDLE_MINUTES = config.setting("CODINGWATCH_IDLE_MINUTES")
SESSION_COOKIE_AGE = IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout after repeated failed logins (django-axes): a user name is locked after
# AXES_FAILURE_LIMIT failures until the cool-off ends. Keyed on the user name only: behind a
# hospital NAT or proxy every user shares one address, and one person's typos must not lock
# out the others. The client address (behind CODINGWATCH_TRUSTED_PROXIES) is logged with each
# attempt.
AXES_FAILURE_LIMIT = config.setting("CODINGWATCH_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = dt.timedelta(minutes=config.setting("CODINGWATCH_LOCKOUT_MINUTES"))
AXES_LOCKOUT_PARAMETERS = ["username"]
TRUSTED_PROXIES = trusted_networks(config.setting("CODINGWATCH_TRUSTED_PROXIES"))
AXES_CLIENT_IP_CALLABLE = "codingwatch.web.accounts.clientip.client_ip"
# axes warns that a lockout without the address can be dodged by rotating user agents or
# cookies; ours is keyed on the user name alone, which rotating neither changes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# ---- security headers (production tightens the transport ones) -------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Charts are drawn by vega-embed from our own bundle with its expression interpreter, so no
# script needs eval; vega writes style attributes on SVG elements, hence 'unsafe-inline' for
# styles only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# ---- the REST API -------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000  # = codingwatch.web.paging.MAX_LIMIT: larger limits answer 422

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING"}},
}
