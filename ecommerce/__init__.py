"""The shop backend's Django project."""

__version__ = "0.1.0"  # keep equal to pyproject.toml's [project] version (a test checks)
