"""Public ids: ``prod_3kTMd9xQ2b7VfLr8``-style identifiers that the API uses instead of raw keys."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.deconstruct import deconstructible

_ALPHABET = string.ascii_letters + string.digits
PUBLIC_ID_RANDOM_LENGTH = 16  # 62**16 ≈ 4.8e28 values: collisions are not a practical concern
_SPACE = len(_ALPHABET) ** PUBLIC_ID_RANDOM_LENGTH


@deconstructible
class PublicIdGenerator:
    """Callable default that makes ``<prefix>_<16 random base62 chars>``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        # One uniform draw below 62**16, written in base 62: the same distribution as 16
        # ``secrets.choice`` calls, at a sixth of their cost (checkout makes six ids).
        value = secrets.randbelow(_SPACE)
        digits = []
        for _ in range(PUBLIC_ID_RANDOM_LENGTH):
            value, digit = divmod(value, 62)
            digits.append(_ALPHABET[digit])
        return f"{self.prefix}_{''.join(digits)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicIdGenerator) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


class PublicIdField(models.CharField):
    """A unique, indexed, prefixed id generated on creation: the one way resources are named
    in URLs and bodies (``usr_``, ``cat_``, ``prod_``, ``ord_``)."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", PublicIdGenerator(prefix))
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        kwargs.pop("default", None)
        for key, value in (("max_length", 64), ("unique", True), ("editable", False)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs


class ExactCharField(models.CharField):
    """A ``CharField`` compared byte for byte on every backend.

    PostgreSQL and SQLite compare strings exactly already; MariaDB/MySQL would use the table's
    case-insensitive ``utf8mb4_unicode_ci``, where ``mgr_acme`` = ``MGR_ACME``. On those this
    field's column gets ``utf8mb4_bin`` (a binary collation: case and accents count; it still
    ignores trailing spaces, which the ids kept in such columns never contain).
    """

    MYSQL_COLLATION = "utf8mb4_bin"

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().db_parameters(connection)
        if connection.vendor == "mysql" and not self.db_collation:
            params["collation"] = self.MYSQL_COLLATION
        return params
