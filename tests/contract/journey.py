"""The API's journeys, through a client generated from its OpenAPI schema and nothing else.

Run by ``tests/contract/run.py`` (``make contract``), which generates the ``shop_api_client``
package with openapi-python-client from the served schema, type-checks this file with mypy
against it, and runs it against a live gunicorn. Every call goes through a generated function;
there is no raw HTTP here, so an operation the schema names or types wrongly fails the build.

Journeys: admin (catalog set-up, order status), inventory (trusted mode: upsert, list, process,
discontinue), shopper (register → verify from the email file → login → browse → cart → keyed
checkout → replay → history → cancel), declined payment (402), guest cart (token → sign-in
merge → merge again) and address book, account deletion.

Only ``count`` and ``results`` of a page are relied on (the page object may gain keys).

Usage: ``python journey.py BASE_URL MAIL_DIR ADMIN_EMAIL ADMIN_PASSWORD``
"""

from __future__ import annotations

import email
import email.policy
import re
import sys
import uuid
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

from shop_api_client import AuthenticatedClient, Client
from shop_api_client.api.auth import (
    auth_address_add,
    auth_address_delete,
    auth_address_list,
    auth_address_update,
    auth_login,
    auth_me_delete,
    auth_me_retrieve,
    auth_register,
    auth_verify_email,
)
from shop_api_client.api.cart import (
    cart_clear,
    cart_create,
    cart_item_add,
    cart_item_remove,
    cart_item_save_for_later,
    cart_item_update,
    cart_merge,
    cart_retrieve,
    cart_saved_item_move_to_cart,
)
from shop_api_client.api.catalog import (
    category_create,
    category_list,
    category_retrieve,
    product_create,
    product_list,
    product_retrieve,
)
from shop_api_client.api.inventory import (
    inventory_order_process,
    inventory_product_discontinue,
    inventory_product_list,
    inventory_product_upsert,
)
from shop_api_client.api.orders import (
    order_cancel,
    order_checkout,
    order_list,
    order_retrieve,
    order_update_status,
)
from shop_api_client.api.service import health_retrieve
from shop_api_client.models import (
    AddressRequest,
    AddressWriteRequest,
    AuthMeDeleteBody,
    CartItemAddRequest,
    CartItemUpdateRequest,
    CartMergeRequest,
    CategoryWriteRequest,
    CheckoutRequest,
    EmailVerifyRequest,
    ErrorEnvelope,
    Health,
    HealthStatusEnum,
    InventoryCustomerRequest,
    InventoryDiscontinueRequest,
    InventoryOrderLineRequest,
    InventoryOrderProcessRequest,
    InventoryOrderProcessResponseStatusEnum,
    InventoryProductItemRequest,
    InventoryProductListStatus,
    InventoryProductsUpsertRequest,
    LoginRequest,
    Order,
    OrderStatusEnum,
    OrderStatusUpdateRequest,
    OrderStatusUpdateStatusEnum,
    PatchedAddressWriteRequest,
    PaymentRequest,
    Product,
    ProductListOrdering,
    ProductStatusEnum,
    ProductWriteRequest,
    RegisterRequest,
    RoleEnum,
)
from shop_api_client.types import Response

T = TypeVar("T")
PASSWORD = "contract-journey-1843"  # noqa: S105 - a throwaway test account's password
ADDRESS = AddressRequest(
    name="Ada Lovelace", line1="12 Analytical Row", city="London", postal_code="N1 7AA", country="GB"
)


def step(name: str, response: Response[ErrorEnvelope | T], status: int) -> T:
    """The parsed body of ``response`` (its success model, typed by the generated function),
    after checking its status. No model name is spelt here, so renaming a response component
    (a page object, say) does not break the journeys; its fields do."""
    assert response.status_code == status, (
        f"{name}: expected {status}, got {response.status_code}: {response.content!r}"
    )
    parsed = response.parsed
    assert parsed is not None and not isinstance(parsed, ErrorEnvelope), f"{name}: {parsed!r}"
    print(f"ok  {name} ({status})")
    return parsed


def no_body(name: str, response: Response[Any], status: int) -> None:
    assert response.status_code == status, (
        f"{name}: expected {status}, got {response.status_code}: {response.content!r}"
    )
    print(f"ok  {name} ({status})")


def error(name: str, response: Response[Any], status: int, code: str) -> None:
    """The response is the error envelope with ``code``."""
    assert response.status_code == status, (
        f"{name}: expected {status}, got {response.status_code}: {response.content!r}"
    )
    envelope = response.parsed
    assert isinstance(envelope, ErrorEnvelope), f"{name}: {envelope!r}"
    assert envelope.error.code == code, f"{name}: expected {code}, got {envelope.error.code}"
    print(f"ok  {name} ({status} {code})")


def key_from_mail(mail_dir: Path, to: str) -> str:
    """The key of the verification link in the last email sent to ``to`` (filemail:// files)."""
    keys = []
    for path in sorted(mail_dir.iterdir(), key=lambda p: p.stat().st_mtime):
        for raw in re.split(rb"\n-{79}\n", path.read_bytes()):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if to not in str(message["To"]):
                continue
            text = message.get_body(preferencelist=("plain",))
            assert text is not None
            link = re.search(r"https?://\S+", text.get_content())
            assert link, "no link in the verification email"
            url = urlparse(link.group(0))
            keys.append(parse_qs(url.fragment or url.query)["key"][0])
    assert keys, f"no email to {to} in {mail_dir}"
    return keys[-1]


def admin_journey(
    base_url: str, admin_email: str, admin_password: str
) -> tuple[AuthenticatedClient, list[Product]]:
    """Sign in as the superuser, create a category and two products in it."""
    anonymous = Client(base_url=base_url)
    health = health_retrieve.sync_detailed(client=anonymous)  # 200 Health or 503 HealthUnavailable
    assert health.status_code == 200 and isinstance(health.parsed, Health), health.content
    assert health.parsed.status == HealthStatusEnum.OK
    print("ok  health_retrieve (200)")
    signed_in = step(
        "admin: auth_login",
        auth_login.sync_detailed(
            client=anonymous, body=LoginRequest(email=admin_email, password=admin_password)
        ),
        200,
    )
    assert signed_in.user.role == RoleEnum.ADMIN
    admin = AuthenticatedClient(base_url=base_url, token=signed_in.access)
    suffix = uuid.uuid4().hex[:8]
    category = step(
        "admin: category_create",
        category_create.sync_detailed(
            client=admin, body=CategoryWriteRequest(name=f"Contract coffee {suffix}")
        ),
        201,
    )
    products = []
    for name, price, quantity in (("Contract beans", "15.99", 40), ("Contract filter", "4.50", 10)):
        product = step(
            f"admin: product_create {name}",
            product_create.sync_detailed(
                client=admin,
                body=ProductWriteRequest(
                    name=f"{name} {suffix}", price=float(price), quantity=quantity, categories=[category.id]
                ),
            ),
            201,
        )
        assert Decimal(str(product.price)) == Decimal(price)
        assert [ref.id for ref in product.categories] == [category.id]
        products.append(product)
    return admin, products


def inventory_journey(base_url: str) -> None:
    """A store manager (trusted mode): upsert, list, process an order, discontinue."""
    manager = Client(base_url=base_url)
    manager_id = f"mgr_contract_{uuid.uuid4().hex[:8]}"
    upserted = step(
        "inventory_product_upsert",
        inventory_product_upsert.sync_detailed(
            client=manager,
            body=InventoryProductsUpsertRequest(
                manager_id=manager_id,
                products=[
                    InventoryProductItemRequest(name="Contract green tea", price=12.99, quantity=5),
                    InventoryProductItemRequest(name="Contract black tea", price=9.5, quantity=3),
                ],
            ),
        ),
        201,
    )
    assert len(upserted.products) == 2
    tea = upserted.products[0]
    listed = step(
        "inventory_product_list",
        inventory_product_list.sync_detailed(client=manager, manager_id=manager_id),
        200,
    )
    assert {product.id for product in listed.products} == {product.id for product in upserted.products}
    processed = step(
        "inventory_order_process",
        inventory_order_process.sync_detailed(
            client=manager,
            body=InventoryOrderProcessRequest(
                manager_id=manager_id,
                customer=InventoryCustomerRequest(id="cus_contract", email="buyer@example.com"),
                products=[InventoryOrderLineRequest(product_id=tea.id, quantity=2)],
            ),
        ),
        200,
    )
    assert processed.status == InventoryOrderProcessResponseStatusEnum.PROCESSED
    after = step(
        "inventory_product_list (stock taken)",
        inventory_product_list.sync_detailed(client=manager, manager_id=manager_id),
        200,
    )
    assert {p.id: p.quantity for p in after.products}[tea.id] == 3
    no_body(
        "inventory_product_discontinue",
        inventory_product_discontinue.sync_detailed(
            client=manager, body=InventoryDiscontinueRequest(manager_id=manager_id, product_id=tea.id)
        ),
        204,
    )
    discontinued = step(
        "inventory_product_list status=discontinued",
        inventory_product_list.sync_detailed(
            client=manager, manager_id=manager_id, status=InventoryProductListStatus.DISCONTINUED
        ),
        200,
    )
    assert [p.id for p in discontinued.products] == [tea.id]


def checkout(shopper: AuthenticatedClient, token: str, key: str) -> Response[ErrorEnvelope | Order]:
    return order_checkout.sync_detailed(
        client=shopper,
        body=CheckoutRequest(shipping_address=ADDRESS, payment=PaymentRequest(token=token)),
        idempotency_key=key,
    )


def shopper_journey(
    base_url: str, mail_dir: Path, products: list[Product]
) -> tuple[AuthenticatedClient, str, Order]:
    """Register, verify, sign in, browse, fill the cart, pay, replay, list, cancel, be declined,
    pay again. Returns the signed-in client, the email and the paid order."""
    anonymous = Client(base_url=base_url)
    address = f"contract-{uuid.uuid4().hex[:10]}@example.com"
    registered = step(
        "auth_register",
        auth_register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(email=address, password=PASSWORD, first_name="Ada", last_name="Lovelace"),
        ),
        201,
    )
    assert registered.user.email == address and not registered.user.email_verified
    error(
        "auth_login before verification",
        auth_login.sync_detailed(client=anonymous, body=LoginRequest(email=address, password=PASSWORD)),
        403,
        "EMAIL_NOT_VERIFIED",
    )
    verified = step(
        "auth_verify_email",
        auth_verify_email.sync_detailed(
            client=anonymous, body=EmailVerifyRequest(key=key_from_mail(mail_dir, address))
        ),
        200,
    )
    assert verified.user.email_verified
    tokens = step(
        "auth_login",
        auth_login.sync_detailed(client=anonymous, body=LoginRequest(email=address, password=PASSWORD)),
        200,
    )
    shopper = AuthenticatedClient(base_url=base_url, token=tokens.access)
    me = step("auth_me_retrieve", auth_me_retrieve.sync_detailed(client=shopper), 200)
    assert me.email == address and me.role == RoleEnum.CUSTOMER

    # Browse: the products' category, a filtered and sorted page, one product.
    beans, filters = products
    category_id = beans.categories[0].id
    categories = step("category_list", category_list.sync_detailed(client=shopper), 200)
    assert categories.count >= 1 and category_id in {category.id for category in categories.results}
    category = step("category_retrieve", category_retrieve.sync_detailed(category_id, client=shopper), 200)
    assert category.id == category_id
    page = step(
        "product_list",
        product_list.sync_detailed(
            client=shopper, category=category.slug, in_stock=True, ordering=ProductListOrdering.PRICE_DESC
        ),
        200,
    )
    assert [product.id for product in page.results] == [beans.id, filters.id], page.results
    assert page.count == 2
    assert all(product.status == ProductStatusEnum.IN_STOCK for product in page.results)
    product = step("product_retrieve", product_retrieve.sync_detailed(beans.id, client=shopper), 200)
    assert product.name == beans.name

    # Cart: add, change the quantity, save one for later and bring it back, remove it.
    step(
        "cart_item_add",
        cart_item_add.sync_detailed(client=shopper, body=CartItemAddRequest(product_id=beans.id)),
        201,
    )
    cart = step(
        "cart_item_update",
        cart_item_update.sync_detailed(beans.id, client=shopper, body=CartItemUpdateRequest(quantity=2)),
        200,
    )
    assert [(line.product.id, line.quantity) for line in cart.items] == [(beans.id, 2)]
    step(
        "cart_item_add (second product)",
        cart_item_add.sync_detailed(
            client=shopper, body=CartItemAddRequest(product_id=filters.id, quantity=1)
        ),
        201,
    )
    cart = step(
        "cart_item_save_for_later",
        cart_item_save_for_later.sync_detailed(filters.id, client=shopper),
        200,
    )
    assert [line.product.id for line in cart.saved_for_later] == [filters.id]
    cart = step(
        "cart_saved_item_move_to_cart",
        cart_saved_item_move_to_cart.sync_detailed(filters.id, client=shopper),
        200,
    )
    assert {line.product.id for line in cart.items} == {beans.id, filters.id} and not cart.saved_for_later
    step("cart_item_remove", cart_item_remove.sync_detailed(filters.id, client=shopper), 200)
    cart = step("cart_retrieve", cart_retrieve.sync_detailed(client=shopper), 200)
    assert Decimal(str(cart.subtotal)) == 2 * Decimal(str(beans.price))

    # Keyed checkout, then the same key again: the same order, not a second one.
    key = str(uuid.uuid4())
    order = step("order_checkout", checkout(shopper, "tok_ok", key), 201)
    assert order.status == OrderStatusEnum.PAID
    assert Decimal(str(order.total_amount)) == 2 * Decimal(str(beans.price))
    replayed = step("order_checkout replayed", checkout(shopper, "tok_ok", key), 200)
    assert replayed.id == order.id
    history = step("order_list", order_list.sync_detailed(client=shopper), 200)
    assert history.count == 1 and [o.id for o in history.results] == [order.id]
    fetched = step("order_retrieve", order_retrieve.sync_detailed(order.id, client=shopper), 200)
    assert fetched.id == order.id
    cancelled = step("order_cancel", order_cancel.sync_detailed(order.id, client=shopper), 200)
    assert cancelled.status == OrderStatusEnum.CANCELLED

    # A declined card: 402, and no paid order.
    no_body("cart_clear", cart_clear.sync_detailed(client=shopper), 204)
    step(
        "cart_item_add (for the declined card)",
        cart_item_add.sync_detailed(
            client=shopper, body=CartItemAddRequest(product_id=filters.id, quantity=1)
        ),
        201,
    )
    error(
        "order_checkout tok_declined",
        checkout(shopper, "tok_declined", str(uuid.uuid4())),
        402,
        "PAYMENT_FAILED",
    )

    # Pay for real (the admin ships this one).
    cart = step("cart_retrieve (after decline)", cart_retrieve.sync_detailed(client=shopper), 200)
    if not cart.items:
        step(
            "cart_item_add (again)",
            cart_item_add.sync_detailed(
                client=shopper, body=CartItemAddRequest(product_id=filters.id, quantity=1)
            ),
            201,
        )
    paid = step("order_checkout (second)", checkout(shopper, "tok_ok", str(uuid.uuid4())), 201)
    assert paid.status == OrderStatusEnum.PAID
    return shopper, address, paid


def ship(admin: AuthenticatedClient, shopper: AuthenticatedClient, order: Order) -> None:
    """The admin marks the shopper's order shipped; the shopper sees it."""
    shipped = step(
        "admin: order_update_status",
        order_update_status.sync_detailed(
            order.id, client=admin, body=OrderStatusUpdateRequest(status=OrderStatusUpdateStatusEnum.SHIPPED)
        ),
        200,
    )
    assert shipped.status == OrderStatusEnum.SHIPPED
    seen = step("order_retrieve (shipped)", order_retrieve.sync_detailed(order.id, client=shopper), 200)
    assert seen.status == OrderStatusEnum.SHIPPED


def delete_account(base_url: str, shopper: AuthenticatedClient, address: str) -> None:
    """``DELETE /api/auth/me/`` with the password in the body; the account is gone."""
    error(
        "auth_me_delete with a wrong password",
        auth_me_delete.sync_detailed(client=shopper, body=AuthMeDeleteBody(password="not-my-password")),
        400,
        "INVALID_REQUEST",
    )
    no_body(
        "auth_me_delete",
        auth_me_delete.sync_detailed(client=shopper, body=AuthMeDeleteBody(password=PASSWORD)),
        204,
    )
    error(
        "auth_login after deletion",
        auth_login.sync_detailed(
            client=Client(base_url=base_url), body=LoginRequest(email=address, password=PASSWORD)
        ),
        401,
        "INVALID_CREDENTIALS",
    )


def guest_journey(base_url: str, email: str, products: list[Product]) -> None:
    """A guest cart (no account) filled with its token, merged at sign-in, merged again (nothing
    more); then the address book of the signed-in user."""
    beans = products[0]
    new = step("cart_create", cart_create.sync_detailed(client=Client(base_url=base_url)), 201)
    assert new.token.startswith("ct_") and new.items == []
    # A generated client sends the guest token as the cartToken API key (docs/cart.md).
    guest = AuthenticatedClient(
        base_url=base_url, token=new.token, auth_header_name="X-Cart-Token", prefix=""
    )
    step(
        "cart_item_add (guest)",
        cart_item_add.sync_detailed(client=guest, body=CartItemAddRequest(product_id=beans.id, quantity=2)),
        201,
    )
    cart = step("cart_retrieve (guest)", cart_retrieve.sync_detailed(client=guest), 200)
    assert [(line.product.id, line.quantity) for line in cart.items] == [(beans.id, 2)]
    tokens = step(
        "auth_login with X-Cart-Token",
        auth_login.sync_detailed(
            client=Client(base_url=base_url),
            body=LoginRequest(email=email, password=PASSWORD),
            x_cart_token=new.token,
        ),
        200,
    )
    shopper = AuthenticatedClient(base_url=base_url, token=tokens.access)
    cart = step("cart_retrieve (merged at sign-in)", cart_retrieve.sync_detailed(client=shopper), 200)
    assert [(line.product.id, line.quantity) for line in cart.items] == [(beans.id, 2)]
    cart = step(
        "cart_merge (again: nothing more)",
        cart_merge.sync_detailed(client=shopper, body=CartMergeRequest(token=new.token)),
        200,
    )
    assert [(line.product.id, line.quantity) for line in cart.items] == [(beans.id, 2)]
    assert step("cart_retrieve (guest, emptied)", cart_retrieve.sync_detailed(client=guest), 200).items == []
    no_body("cart_clear (merged)", cart_clear.sync_detailed(client=shopper), 204)

    added = step(
        "auth_address_add",
        auth_address_add.sync_detailed(
            client=shopper,
            body=AddressWriteRequest(
                name="Ada Lovelace",
                line1="1600 Amphitheatre Parkway",
                city="Mountain View",
                region="California",
                postal_code="94043",
                country="US",
            ),
        ),
        201,
    )
    assert added.region == "CA" and added.is_default_shipping and added.is_default_billing
    error(
        "auth_address_add (no state)",
        auth_address_add.sync_detailed(
            client=shopper,
            body=AddressWriteRequest(
                name="A", line1="1 Main St", city="Springfield", postal_code="62701", country="US"
            ),
        ),
        400,
        "INVALID_REQUEST",
    )
    book = step("auth_address_list", auth_address_list.sync_detailed(client=shopper), 200)
    assert [entry.id for entry in book] == [added.id]
    changed = step(
        "auth_address_update",
        auth_address_update.sync_detailed(
            added.id, client=shopper, body=PatchedAddressWriteRequest(line2="Building 40")
        ),
        200,
    )
    assert changed.line2 == "Building 40"
    no_body("auth_address_delete", auth_address_delete.sync_detailed(added.id, client=shopper), 204)


def main(base_url: str, mail_dir: str, admin_email: str, admin_password: str) -> None:
    admin, products = admin_journey(base_url, admin_email, admin_password)
    inventory_journey(base_url)
    shopper, address, paid = shopper_journey(base_url, Path(mail_dir), products)
    ship(admin, shopper, paid)
    guest_journey(base_url, address, products)
    delete_account(base_url, shopper, address)
    print("contract journeys passed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
