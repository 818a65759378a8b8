"""Reporting periods: calendar days in the shop's time zone (``SHOP_TIME_ZONE``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from ecommerce.common.exceptions import InvalidRequest
from orders.models import OrderChannel, OrderStatus

# Orders whose money the shop keeps. Inventory-API orders are stored as ``paid``.
REVENUE_STATUSES: tuple[str, ...] = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
MAX_PERIOD_DAYS = 731
PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "month": "This month",
    "custom": "Custom",
}


def shop_tz() -> ZoneInfo:
    return ZoneInfo(settings.SHOP_TIME_ZONE)


def shop_today() -> date:
    return timezone.now().astimezone(shop_tz()).date()


def local_midnight(day: date) -> datetime:
    """The aware instant at which ``day`` starts in the shop's time zone."""
    return datetime.combine(day, time.min, tzinfo=shop_tz())


def local_day(moment: datetime) -> date:
    """The shop-local calendar day of an aware datetime."""
    return moment.astimezone(shop_tz()).date()


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end`` (both included) in the shop's time zone, optionally one channel."""

    start: date
    end: date
    channel: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of equal length just before this one."""
        end = self.start - timedelta(days=1)
        return Period(start=end - timedelta(days=self.days - 1), end=end, channel=self.channel)

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period (the next local midnight, DST-aware)."""
        return local_midnight(self.end + timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]


def period_for_preset(preset: str, *, today: date | None = None, channel: str | None = None) -> Period:
    """``7d``/``30d``/``90d`` end today; ``month`` is the current calendar month up to today."""
    today = today or shop_today()
    if preset == "month":
        return Period(start=today.replace(day=1), end=today, channel=channel)
    days = {"7d": 7, "30d": 30, "90d": 90}[preset]
    return Period(start=today - timedelta(days=days - 1), end=today, channel=channel)


# Dates outside this range are refused before any arithmetic (the previous period of
# 0001-01-01 or the day after 9999-12-31 do not exist).
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(9998, 12, 31)


def period_parse(
    *,
    start: date | None = None,
    end: date | None = None,
    preset: str | None = None,
    channel: str | None = None,
    today: date | None = None,
) -> Period:
    """The period asked for by a dashboard or API request.

    A ``preset`` other than ``custom`` wins over dates. Without dates the period is the last
    30 days; ``start`` alone runs to today; ``end`` alone covers the 30 days up to it. Raises
    :class:`InvalidRequest` (400) when ``start`` is after ``end``, the period is longer than
    ``MAX_PERIOD_DAYS``, or the preset or channel is unknown.
    """
    if channel and channel not in OrderChannel.values:
        raise InvalidRequest(
            "Unknown channel.", details={"channel": f"must be one of {', '.join(OrderChannel.values)}"}
        )
    if preset and preset != "custom":
        if preset not in PRESETS:
            raise InvalidRequest("Unknown range.", details={"range": f"must be one of {', '.join(PRESETS)}"})
        return period_for_preset(preset, today=today, channel=channel or None)
    for name, value in (("from", start), ("to", end)):
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise InvalidRequest(
                f"'{name}' is out of range.",
                details={name: f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"},
            )
    today = today or shop_today()
    if start is None and end is None:
        return period_for_preset("30d", today=today, channel=channel or None)
    if end is None:
        end = today
    if start is None:
        start = end - timedelta(days=29)
    if start > end:
        raise InvalidRequest("'from' must not be after 'to'.", details={"from": "must be on or before 'to'"})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidRequest(
            f"The period may be at most {MAX_PERIOD_DAYS} days.",
            details={"from": f"the period may be at most {MAX_PERIOD_DAYS} days"},
        )
    return Period(start=start, end=end, channel=channel or None)
