"""Unique slugs for categories and products, auto-suffixed on collision (``coffee``, ``coffee-2``)."""

from __future__ import annotations

from django.db import connection, models
from django.utils.text import slugify

MAX_SLUG_LENGTH = 200


def slug_base(name: str) -> str:
    """``"Premium Coffee Beans!"`` → ``"premium-coffee-beans"``; never empty."""
    return slugify(name)[:MAX_SLUG_LENGTH].strip("-") or "item"


# Bases looked up per query: keeps the OR-ed lookup well below SQLite's expression depth limit;
# PostgreSQL and MariaDB take a whole batch (1,000 names) in one query.
SLUG_LOOKUP_CHUNK = 200
SLUG_LOOKUP_CHUNK_SERVER = 1000


def unique_slugs(model: type[models.Model], names: list[str], field: str = "slug") -> list[str]:
    """Allocate one unique slug per name (also unique among themselves).

    One query per ``SLUG_LOOKUP_CHUNK`` distinct names on SQLite (a batch of 1,000 new products
    costs 5), per ``SLUG_LOOKUP_CHUNK_SERVER`` elsewhere (it costs 1), however many suffixes are
    taken. A concurrent writer can still win a race; the unique index
    then refuses the row and the caller's transaction fails cleanly (retry).
    """
    bases = [slug_base(name) for name in names]
    wanted = sorted(set(bases))
    taken: set[str] = set()
    chunk = SLUG_LOOKUP_CHUNK if connection.vendor == "sqlite" else SLUG_LOOKUP_CHUNK_SERVER
    for start in range(0, len(wanted), chunk):
        query = models.Q()
        for base in wanted[start : start + chunk]:
            query |= models.Q(**{field: base}) | models.Q(**{f"{field}__startswith": f"{base}-"})
        taken.update(model._default_manager.filter(query).values_list(field, flat=True))
    slugs: list[str] = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        slugs.append(candidate)
    return slugs
