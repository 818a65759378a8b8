"""A small shop whose every figure is computed by hand in ``test_figures.py``.

Shop time zone Europe/Berlin. The period is 2025-03-24 … 2025-03-30 (a week ending on the day
clocks go forward: 02:00 CET → 03:00 CEST); the previous period is 2025-03-17 … 2025-03-23.

| order | channel       | status         | placed (local)            | lines          | total  |
|-------|---------------|----------------|---------------------------|----------------|--------|
| o1    | shop          | paid           | 03-24 00:00:00 (midnight) | A×2            | 20.00  |
| o2    | inventory_api | paid           | 03-25 12:00                | B×1, C×3       | 37.00  |
| o3    | shop          | delivered      | 03-30 00:30 CET (03-29 23:30 UTC) | B×2     | 50.00  |
| o4    | shop          | cancelled      | 03-26 10:00                | A×5            | 50.00  |
| o5    | shop          | pending        | 03-27 10:00                | C×1            |  4.00  |
| o6    | shop          | payment_failed | 03-27 11:00                | A×1            | 10.00  |
| o7    | shop          | paid           | 03-31 00:30 CEST (03-30 22:30 UTC): next period | A×1 | 10.00 |
| p1    | shop          | paid           | 03-20 12:00                | A×1            | 10.00  |
| p2    | inventory_api | cancelled      | 03-21 09:00                | C×1            |  4.00  |
| p3    | shop          | shipped        | 03-23 23:59:59             | A×3            | 30.00  |

Products: A 10.00 (category Coffee), B 25.00 (Coffee and Gifts), C 4.00 (no category).
"""

from __future__ import annotations

import pytest

from analytics.services import rollup_rebuild
from tests.helpers.analytics import Shop, build_shop


@pytest.fixture
def berlin_tz(settings):
    settings.SHOP_TIME_ZONE = "Europe/Berlin"
    settings.LOW_STOCK_THRESHOLD = 5


@pytest.fixture
def shop(db, berlin_tz) -> Shop:
    built = build_shop()
    rollup_rebuild()
    return built
