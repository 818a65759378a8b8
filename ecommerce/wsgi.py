"""WSGI entry point (gunicorn ecommerce.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
application = get_wsgi_application()
