"""Password rules: Django's validators plus ours (distinct characters); nothing is stripped."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.password_validation import MinimumDistinctCharactersValidator
from tests.factories import UserFactory
from tests.helpers.accounts import key_from_email

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"
UNIFORM = ["            ", "aaaaaaaaaaaa", "abababababab", "\t\t\t\t\t\t\t\t\t\t"]


def test_our_validator_is_configured_after_djangos():
    names = [entry["NAME"] for entry in settings.AUTH_PASSWORD_VALIDATORS]
    assert names[-1] == "accounts.password_validation.MinimumDistinctCharactersValidator"
    assert "django.contrib.auth.password_validation.MinimumLengthValidator" in names
    with pytest.raises(ValidationError) as caught:
        validate_password("            ")
    assert "password_too_few_distinct" in [error.code for error in caught.value.error_list]


def test_distinct_characters_validator_bounds():
    validator = MinimumDistinctCharactersValidator(min_distinct=5)
    validator.validate("abcde")
    with pytest.raises(ValidationError):
        validator.validate("abcd" * 10)
    assert "5 different characters" in validator.get_help_text()


@pytest.mark.parametrize("password", UNIFORM)
def test_register_refuses_uniform_passwords(api_client, password):
    response = api_client.post(
        "/api/auth/register", {"email": "uniform@example.com", "password": password}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "different characters" in response.json()["error"]["details"]["password"]
    assert not User.objects.filter(email="uniform@example.com").exists()


def test_password_change_and_reset_refuse_uniform_passwords(api_client, auth_client, post_committed):
    user = UserFactory(email="uni@example.com")
    change = auth_client(user).post(
        "/api/auth/password/change",
        {"current_password": PASSWORD, "new_password": " " * 20},
        format="json",
    )
    assert change.status_code == 400 and "new_password" in change.json()["error"]["details"]
    post_committed("/api/auth/password/reset", {"email": user.email})
    reset = api_client.post(
        "/api/auth/password/reset/confirm",
        {"key": key_from_email(mail.outbox[-1]), "new_password": "z" * 20},
        format="json",
    )
    assert reset.status_code == 400 and "new_password" in reset.json()["error"]["details"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_spaces_around_a_password_are_kept_not_stripped(api_client, auth_client):
    spaced = "  correct horse battery  "
    user = UserFactory(email="spaces@example.com")
    response = auth_client(user).post(
        "/api/auth/password/change", {"current_password": PASSWORD, "new_password": spaced}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(spaced) and not user.check_password(spaced.strip())
    login = api_client.post("/api/auth/login", {"email": user.email, "password": spaced}, format="json")
    assert login.status_code == 200
    stripped = api_client.post(
        "/api/auth/login", {"email": user.email, "password": spaced.strip()}, format="json"
    )
    assert stripped.status_code == 401
