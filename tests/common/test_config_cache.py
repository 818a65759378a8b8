"""The shop configuration's read cache (``ecommerce.common.config_cache``): a value is built once
per configuration version, every write invalidates it, and a pinned scope
reads the version once for all its reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecommerce.common.config_cache import config_cached, config_changed, config_pinned
from taxes.models import TaxRate
from taxes.selectors import tax_rates_for

pytestmark = pytest.mark.django_db


class Builds:
    """A value builder that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_a_value_is_built_once_per_version():
    build = Builds()
    assert config_cached("test.value", build) == 1
    assert config_cached("test.value", build) == 1
    assert build.calls == 1
    config_changed()
    assert config_cached("test.value", build) == 2


def test_a_save_invalidates_it_and_a_write_without_signals_says_so_itself():
    rate = TaxRate.objects.create(country="GB", tax_class="standard", rate=Decimal("20.00"))
    assert tax_rates_for(country="GB", region=None)["standard"] == Decimal("20.00")
    rate.rate = Decimal("17.50")
    rate.save()  # a watched model: its post_save bumps the version
    assert tax_rates_for(country="GB", region=None)["standard"] == Decimal("17.50")
    TaxRate.objects.filter(country="GB").update(rate=Decimal("5.00"))  # no signal
    assert tax_rates_for(country="GB", region=None)["standard"] == Decimal("17.50")  # cached
    config_changed()
    assert tax_rates_for(country="GB", region=None)["standard"] == Decimal("5.00")


def test_a_pinned_scope_reads_one_version_for_all_its_reads():
    build = Builds()
    with config_pinned():
        assert config_cached("test.pinned", build) == 1
        config_changed()  # another process's write, seen from here
        assert config_cached("test.pinned", build) == 1  # the scope's version still
        with config_pinned():  # nested: the outer version
            assert config_cached("test.pinned", build) == 1
    assert config_cached("test.pinned", build) == 2  # the next read sees the write
    assert build.calls == 2
