"""WSGI entry point (gunicorn ecommerce.wsgi).

Under ``ecommerce.settings.production`` the deploy checks run before the first request and an
error refuses the start (``ecommerce.common.startup``; gunicorn already ran them in its master).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
application = get_wsgi_application()

from ecommerce.common.startup import refuse_unsafe_start  # noqa: E402 - needs the app registry

refuse_unsafe_start()
