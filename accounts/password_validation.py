"""Our password rule on top of Django's standard validators (see ``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MinimumDistinctCharactersValidator:
    """Refuse passwords with fewer than ``min_distinct`` different characters.

    Length alone lets ``"            "`` (twelve spaces) or ``"aaaaaaaaaaaa"`` through; a few
    distinct characters is a low bar that refuses those and nothing a person would choose.
    Spaces count as characters like any other: nothing is stripped.
    """

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` (code ``password_too_few_distinct``) when too uniform."""
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                ngettext(
                    "This password must contain at least %(min_distinct)d different character.",
                    "This password must contain at least %(min_distinct)d different characters.",
                    self.min_distinct,
                ),
                code="password_too_few_distinct",
                params={"min_distinct": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(min_distinct)d different character.",
            "Your password must contain at least %(min_distinct)d different characters.",
            self.min_distinct,
        ) % {"min_distinct": self.min_distinct}
