"""The one JSON request parser: malformed or absurd bodies are a 400, never a 500.

:class:`JSONParser` is the project's default (``DEFAULT_PARSER_CLASSES``): DRF's behaviour
(numbers with a fraction as ``float``, ``NaN``/``Infinity`` refused under ``STRICT_JSON``), and
absurdly deep nesting (``[[[[…``) a 400 instead of a ``RecursionError``.
:class:`DecimalJSONParser` is the same parser configured for the inventory API: numbers kept
exact (``15.99`` becomes ``Decimal("15.99")``, never a float) and ``NaN``/``Infinity`` refused
as invalid JSON.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; too deep nesting is a 400 (``JSON parse error - nested too deeply``)."""

    #: True: numbers with a fraction become ``Decimal`` and ``NaN``/``Infinity`` are invalid JSON.
    exact_decimals: ClassVar[bool] = False

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # DRF ≥ 3.17, not in the stubs
        parse_float: Callable[[str], Any] | None = Decimal if self.exact_decimals else None
        refuse: Callable[[str], Any] | None = (
            _refuse_constant if self.exact_decimals else (strict_constant if self.strict else None)
        )
        try:
            return json.load(
                codecs.getreader(encoding)(stream), parse_float=parse_float, parse_constant=refuse
            )
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc


class DecimalJSONParser(JSONParser):
    """The inventory API's configuration of :class:`JSONParser`: exact decimals, no NaN/Infinity."""

    exact_decimals = True
