"""THE shipping function: which methods ship to a country and at what price
(``shipping_methods_available`` / ``shipping_quote``), with hand-computed prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shipping.models import ShippingMethod
from shipping.selectors import ShippingQuote, shipping_methods_available, shipping_quote
from shipping.services import shipping_zone_create

pytestmark = pytest.mark.django_db
D = Decimal


def _method(name: str, price: str, **extra) -> dict:
    return {"name": name, "price": D(price), "min_days": 1, "max_days": 3, **extra}


@pytest.fixture
def zones():
    dach = shipping_zone_create(
        name="DACH",
        countries=["DE", "AT", "CH"],
        methods=[
            _method(
                "Standard",
                "5.90",
                rate_type="subtotal_tiers",
                tiers=[{"from": D("20.00"), "price": D("4.90")}, {"from": D("50.00"), "price": D("2.90")}],
                free_above=D("100.00"),
            ),
            _method(
                "Parcel",
                "9.00",
                rate_type="weight_tiers",
                tiers=[{"from": D("1000"), "price": D("12.00")}, {"from": D("5000"), "price": D("20.00")}],
            ),
            _method("Courier", "15.00", min_days=0, max_days=1),
            _method("Old", "1.00", is_active=False),
        ],
    )
    world = shipping_zone_create(name="World", countries=["*"], methods=[_method("International", "25.00")])
    empty = shipping_zone_create(name="Nothing ships", countries=["KP"])
    return dach, world, empty


def _prices(quotes: list[ShippingQuote]) -> list[tuple[str, Decimal]]:
    return [(quote.name, quote.price) for quote in quotes]


def test_flat_tiered_by_subtotal_and_by_weight(zones):
    def prices(subtotal: str, grams: int) -> list[tuple[str, Decimal]]:
        return _prices(
            shipping_methods_available(country="DE", region=None, subtotal=D(subtotal), weight_grams=grams)
        )

    # below every tier: the method's own price; cheapest first
    assert prices("10.00", 500) == [("Standard", D("5.90")), ("Parcel", D("9.00")), ("Courier", D("15.00"))]
    # the tier with the largest `from` <= value: 20 <= 49.99 < 50; 1000 <= 4999 < 5000
    assert prices("49.99", 4999) == [("Standard", D("4.90")), ("Parcel", D("12.00")), ("Courier", D("15.00"))]
    # exactly on a tier's start; 5000 g
    assert prices("50.00", 5000) == [("Standard", D("2.90")), ("Courier", D("15.00")), ("Parcel", D("20.00"))]
    # free_above: 0 at and above 100.00, not below
    assert prices("99.99", 0)[0] == ("Standard", D("2.90"))
    assert prices("100.00", 0)[0] == ("Standard", D("0.00"))


def test_the_zone_naming_the_country_wins_over_the_rest_of_the_world(zones):
    at = shipping_methods_available(country="AT", region="Tirol", subtotal=D("10"), weight_grams=0)
    assert {quote.name for quote in at} == {"Standard", "Parcel", "Courier"}
    # a country no zone names: the rest of the world (lower case accepted)
    us = shipping_methods_available(country="us", region="CA", subtotal=D("10"), weight_grams=0)
    assert us == [
        ShippingQuote(
            method_id=ShippingMethod.objects.get(name="International").public_id,
            name="International",
            price=D("25.00"),
            min_days=1,
            max_days=3,
        )
    ]
    # a zone that names the country but has no active method: nothing ships there
    assert shipping_methods_available(country="KP", region=None, subtotal=D("10"), weight_grams=0) == []


def test_without_a_rest_of_world_zone_other_countries_get_nothing(zones):
    _dach, world, _empty = zones
    world.delete()
    assert shipping_methods_available(country="US", region=None, subtotal=D("10"), weight_grams=0) == []
    assert shipping_methods_available(country="*", region=None, subtotal=D("10"), weight_grams=0) == []
    assert shipping_methods_available(country="", region=None, subtotal=D("10"), weight_grams=0) == []


def test_inactive_methods_are_not_offered_and_ties_go_by_name(zones):
    dach, _world, _empty = zones
    ShippingMethod.objects.create(zone=dach, name="Another courier", price=D("15.00"), min_days=1, max_days=2)
    names = [
        q.name for q in shipping_methods_available(country="CH", region=None, subtotal=D("1"), weight_grams=0)
    ]
    assert names == ["Standard", "Parcel", "Another courier", "Courier"]
    assert "Old" not in names


def test_shipping_quote_is_the_same_rule_for_one_method(zones):
    standard = ShippingMethod.objects.get(name="Standard")
    quote = shipping_quote(
        method_id=standard.public_id, country="DE", region=None, subtotal=D("60"), weight_grams=0
    )
    assert quote == ShippingQuote(standard.public_id, "Standard", D("2.90"), 1, 3)
    # not there: another zone's country, an inactive method, an unknown id
    assert (
        shipping_quote(
            method_id=standard.public_id, country="US", region=None, subtotal=D("60"), weight_grams=0
        )
        is None
    )
    old = ShippingMethod.objects.get(name="Old")
    assert (
        shipping_quote(method_id=old.public_id, country="DE", region=None, subtotal=D("60"), weight_grams=0)
        is None
    )
    assert (
        shipping_quote(method_id="shm_nope", country="DE", region=None, subtotal=D("60"), weight_grams=0)
        is None
    )


def test_a_quote_reads_two_queries(zones, django_assert_num_queries):
    with django_assert_num_queries(2):
        shipping_methods_available(country="DE", region=None, subtotal=D("60"), weight_grams=100)
