"""Production settings: the defaults plus HTTPS-only transport and refusals.

Use with DJANGO_SETTINGS_MODULE=codingwatch.web.settings_production. Importing this module
raises ImproperlyConfigured when the secret key is the built-in default (or too short) or when
DEBUG is on, so a misconfigured server never starts.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from codingwatch import config
from codingwatch.web.settings import *  # noqa: F401,F403
from codingwatch.web.settings import DEBUG, SECRET_KEY

if SECRET_KEY == config.DEFAULT_SECRET:
    raise ImproperlyConfigured(
        "CODINGWATCH_SECRET_KEY is the built-in default: set a long random secret "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("CODINGWATCH_SECRET_KEY is too weak: use at least 50 random characters")
if DEBUG:
    raise ImproperlyConfigured("CODINGWATCH_DEBUG is on: production never runs with debug pages")

SECURE_SSL_REDIRECT = config.setting("CODINGWATCH_SECURE_SSL_REDIRECT")
# A load balancer's health probe may come over plain HTTP; /healthz shows no data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = config.setting("CODINGWATCH_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
