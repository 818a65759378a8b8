"""How an event's ``data`` becomes JSON: the outbox column's encoder (``OutboxEvent.data``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


class EventJSONEncoder(json.JSONEncoder):
    """JSON as the API writes it: decimals as numbers, datetimes in ISO 8601 with ``Z``."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        if isinstance(o, datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)
