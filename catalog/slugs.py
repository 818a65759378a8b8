"""Unique slugs for categories and products, auto-suffixed on collision (``coffee``, ``coffee-2``)."""

from __future__ import annotations

from django.db import models
from django.utils.text import slugify

MAX_SLUG_LENGTH = 200


def slug_base(name: str) -> str:
    """``"Premium Coffee Beans!"`` → ``"premium-coffee-beans"``; never empty."""
    return slugify(name)[:MAX_SLUG_LENGTH].strip("-") or "item"


def unique_slugs(model: type[models.Model], names: list[str], field: str = "slug") -> list[str]:
    """Allocate one unique slug per name (also unique among themselves) in two queries.

    Suffixes continue after the highest one taken, so a batch of 1,000 products costs the same
    as one. A concurrent writer can still win a race; the unique index then refuses the row and
    the caller's transaction fails cleanly (retry).
    """
    bases = [slug_base(name) for name in names]
    wanted = set(bases)
    query = models.Q()
    for base in wanted:
        query |= models.Q(**{field: base}) | models.Q(**{f"{field}__startswith": f"{base}-"})
    taken = set(model._default_manager.filter(query).values_list(field, flat=True)) if wanted else set()
    slugs: list[str] = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        slugs.append(candidate)
    return slugs
