"""WSGI entry point (e.g. gunicorn codingwatch.web.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingwatch.web.settings")
application = get_wsgi_application()
