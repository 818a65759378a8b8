"""Refusing an unsafe production start.

``refuse_unsafe_start()`` runs the deploy system checks (``manage.py check --deploy``) with fail
level ERROR when the settings ask for it (``DEPLOY_CHECKS_AT_START``, set by
``ecommerce.settings.production``) and raises ``SystemCheckError`` on any error. gunicorn calls it
in its ``on_starting`` hook (``gunicorn.conf.py``: the master exits before it binds a worker);
``ecommerce.wsgi`` and ``ecommerce.asgi`` call it too, for any other server. It runs once per
process tree: workers forked from a checked gunicorn master do not repeat it.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections

_checked = False


def refuse_unsafe_start() -> str:
    """Run the deploy checks if the settings ask for it; return their report (empty if skipped).

    Raises ``django.core.management.base.SystemCheckError`` when a check reports an error."""
    global _checked
    if _checked or not getattr(settings, "DEPLOY_CHECKS_AT_START", False):
        return ""
    report = io.StringIO()
    try:
        call_command("check", deploy=True, fail_level="ERROR", stdout=report, stderr=report)
    finally:
        # gunicorn forks its workers from this process: they must not share a socket that a
        # check may have opened.
        connections.close_all()
        caches.close_all()
    _checked = True
    return report.getvalue()
