"""The demo seeding (``manage.py seed_demo``): the top layer, the one place besides the project's
URLs allowed to import every app (docs/architecture.md)."""
