"""The admin an operator meets: it names the shop and has one accounts section."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_names_the_shop(staff_client, settings):
    settings.SHOP_NAME = "Acme Coffee"
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "Acme Coffee administration" in html and "<title>" in html
    assert "| Acme Coffee admin</title>" in html
    assert "Django administration" not in html and "Django site admin" not in html
    staff_client.logout()
    login = staff_client.get(reverse("admin:login")).content.decode()  # also before logging in
    assert "Acme Coffee administration" in login


def test_admin_has_one_accounts_section(staff_client, admin_user):
    response = staff_client.get(reverse("admin:index"))
    sections = [app["name"] for app in response.context["app_list"]]
    assert sections.count("Accounts") == 1 and "Social Accounts" not in sections
    accounts = next(app for app in response.context["app_list"] if app["name"] == "Accounts")
    # store managers are accounts since issue #19 (StoreManager moved from inventory)
    assert [model["object_name"] for model in accounts["models"]] == ["StoreManager", "User"]
    assert staff_client.get("/admin/account/emailaddress/").status_code == 404
    assert staff_client.get("/admin/socialaccount/socialtoken/").status_code == 404
    # email addresses and linked social accounts are still shown on the user page
    user_page = staff_client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))
    html = user_page.content.decode()
    assert user_page.status_code == 200 and 'id="emailaddress_set-group"' in html
    assert 'id="socialaccount_set-group"' in html
