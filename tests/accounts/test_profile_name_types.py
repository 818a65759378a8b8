"""``PATCH /api/auth/me/``: names are JSON strings, as the schema says (no number coerced to text)."""

import pytest

from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", [7.2e261, 42, True, ["Ada"]])
def test_profile_names_must_be_strings(auth_client, value):
    user = UserFactory(first_name="Ada")
    response = auth_client(user).patch("/api/auth/me/", {"first_name": value}, format="json")
    assert response.status_code == 400 and "first_name" in response.json()["error"]["details"]
    user.refresh_from_db()
    assert user.first_name == "Ada"


@pytest.mark.django_db
def test_profile_names_as_strings_are_accepted(auth_client):
    user = UserFactory()
    response = auth_client(user).patch(
        "/api/auth/me/", {"first_name": "Grace", "last_name": ""}, format="json"
    )
    assert response.status_code == 200 and response.json()["first_name"] == "Grace"
