"""The shop backend's Django project."""

from .celery import app as celery_app

__version__ = "0.1.0"  # keep equal to pyproject.toml's [project] version (a test checks)
__all__ = ["celery_app"]
