"""Production has no default payment gateway and refuses the built-in test gateway (issue #18,
item 2): ``orders/checks.py`` (deploy checks) and ``ecommerce/settings/production.py``."""

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from orders.checks import payment_gateway_check
from tests.helpers import manage_py, production_environ


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize("path", ["", "   "])
def test_no_gateway_is_an_error(path):
    with override_settings(PAYMENT_GATEWAY=path):
        assert ids(payment_gateway_check()) == ["orders.E001"]


def test_gateway_that_does_not_import_is_an_error():
    with override_settings(PAYMENT_GATEWAY="payments_stripe.StripeGateway"):
        assert ids(payment_gateway_check()) == ["orders.E002"]


@pytest.mark.parametrize(
    "path", ["orders.payments.TestGateway", "tests.orders.test_checkout_recovery.WorkerKilledAfterCapture"]
)
def test_test_gateway_or_a_subclass_is_refused(path):
    with override_settings(PAYMENT_GATEWAY=path, PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE=False):
        messages = payment_gateway_check()
    assert ids(messages) == ["orders.E003"] and messages[0].is_serious()


def test_test_gateway_allowed_explicitly_is_only_a_warning():
    with override_settings(
        PAYMENT_GATEWAY="orders.payments.TestGateway", PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE=True
    ):
        messages = payment_gateway_check()
    assert ids(messages) == ["orders.W001"] and not messages[0].is_serious()


def test_real_gateway_passes():
    with override_settings(PAYMENT_GATEWAY="orders.payments_http.HttpPaymentGateway"):
        assert payment_gateway_check() == []


def test_check_deploy_fails_on_the_test_gateway():
    with override_settings(
        PAYMENT_GATEWAY="orders.payments.TestGateway", PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE=False
    ):
        with pytest.raises(SystemCheckError, match="orders.E003"):
            call_command("check", "--deploy", "--fail-level", "ERROR")


def test_check_without_deploy_keeps_the_demo_convenience():
    with override_settings(
        PAYMENT_GATEWAY="orders.payments.TestGateway", PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE=False
    ):
        call_command("check", "--fail-level", "ERROR")  # `make run` and tests keep the test gateway


def production(*args: str, **extra: str | None) -> subprocess.CompletedProcess:
    """``manage.py *args`` under production settings, safe apart from ``extra``."""
    return manage_py(*args, env=production_environ(**extra))


def test_production_settings_require_payment_gateway():
    result = production("check", PAYMENT_GATEWAY=None)
    assert result.returncode != 0
    assert "Set the PAYMENT_GATEWAY environment variable" in result.stderr


def test_production_check_deploy_refuses_the_test_gateway_unless_allowed_for_testing():
    refused = production(
        "check", "--deploy", "--fail-level", "ERROR", PAYMENT_GATEWAY="orders.payments.TestGateway"
    )
    assert refused.returncode != 0 and "orders.E003" in refused.stderr
    allowed = production(
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        PAYMENT_GATEWAY="orders.payments.TestGateway",
        PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE="1",
    )
    assert (
        "orders.E003" not in allowed.stdout + allowed.stderr
        and "orders.W001" in allowed.stdout + allowed.stderr
    )
