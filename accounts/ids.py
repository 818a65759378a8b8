"""Caller-chosen ids of the inventory API (``mgr_123``, customer ``cust_456``): one definition.

1–64 characters of ``A-Za-z0-9_-``, matched against the *whole* string (``\\A…\\Z``; a ``^…$``
regex would let ``"mgr_1\\n"`` through, since ``$`` also matches before a final newline). The
serializers, the view's early look at ``manager_id`` (rate limit, access check), the models'
validators and the ``inventory_key`` command all use this module, so they cannot disagree.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator

EXTERNAL_ID_REGEX = r"\A[A-Za-z0-9_-]{1,64}\Z"
# The same rule as JSON Schema / OpenAPI writes it (ECMA regex: ``$`` is the end of the string).
EXTERNAL_ID_SCHEMA_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
EXTERNAL_ID_MESSAGE = "Must be 1–64 characters of A-Za-z0-9_-."
_EXTERNAL_ID = re.compile(EXTERNAL_ID_REGEX)

validate_external_id = RegexValidator(EXTERNAL_ID_REGEX, EXTERNAL_ID_MESSAGE)


def is_external_id(value: object) -> bool:
    """True when ``value`` is a string that is a well-formed id, exactly."""
    return isinstance(value, str) and _EXTERNAL_ID.fullmatch(value) is not None
