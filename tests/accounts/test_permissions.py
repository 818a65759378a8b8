from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotAuthenticated

from accounts.models import Role
from accounts.permissions import IsAdmin, IsAdminOrReadOnly, IsCustomer, IsManager, authenticated_user
from tests.factories import AdminUserFactory, UserFactory


def _request(user, method="GET"):
    return SimpleNamespace(user=user, method=method)


@pytest.mark.django_db
def test_role_permissions():
    admin, customer = AdminUserFactory(), UserFactory()
    manager = UserFactory(role=Role.MANAGER)
    anon = AnonymousUser()
    assert IsAdmin().has_permission(_request(admin), None)
    assert not IsAdmin().has_permission(_request(customer), None)
    assert not IsAdmin().has_permission(_request(anon), None)
    assert IsAdminOrReadOnly().has_permission(_request(anon, "GET"), None)
    assert not IsAdminOrReadOnly().has_permission(_request(customer, "POST"), None)
    assert IsAdminOrReadOnly().has_permission(_request(admin, "DELETE"), None)
    assert IsManager().has_permission(_request(manager), None)
    assert not IsManager().has_permission(_request(customer), None)
    assert IsCustomer().has_permission(_request(customer), None)
    assert not IsCustomer().has_permission(_request(anon), None)


@pytest.mark.django_db
def test_authenticated_user_narrows_request_user_and_refuses_anonymous():
    customer = UserFactory()
    assert authenticated_user(_request(customer)) is customer
    with pytest.raises(NotAuthenticated):
        authenticated_user(_request(AnonymousUser()))


@pytest.mark.django_db
def test_views_behind_is_customer_still_answer_401_then_200(api_client, auth_client):
    """The views that read ``authenticated_user(request)`` keep their answers."""
    customer = UserFactory()
    for path in ("/api/auth/me/", "/api/cart/", "/api/orders/"):
        assert api_client.get(path).status_code == 401, path
        assert auth_client(customer).get(path).status_code == 200, path
