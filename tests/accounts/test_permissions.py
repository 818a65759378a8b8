from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from accounts.permissions import IsAdmin, IsAdminOrReadOnly, IsCustomer, IsManager
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
