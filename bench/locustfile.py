"""Locust load mix for the shop API (run by ``bench/load_mix.py``; never in CI).

Task weights (one main request each): browse and filter products 60, search 15, product
detail 10, cart 10 (add / view / change / remove), checkout 5 (add one unit of a "hot"
product, then ``POST /api/orders/`` with an ``Idempotency-Key``). Users sign in with JWTs
minted by the driver (so the login rate limit, 30 per IP per 5 minutes, does not apply to a
load generator that runs from one address); ids, category slugs and search words come from
``bench/.load/fixture.json`` written by the driver.

Expected refusals are counted as successes and named in the request's name: 409
``INSUFFICIENT_STOCK``/``PRODUCT_DISCONTINUED`` when a hot product sells out and 404 on a
cart line another of the user's tasks removed. Everything else other than 2xx is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import FastHttpUser, between, task

FIXTURE = json.loads(
    Path(os.environ.get("LOAD_FIXTURE", Path(__file__).parent / ".load" / "fixture.json")).read_text()
)
TOKENS = itertools.cycle(FIXTURE["tokens"])
ORDERINGS = ["price", "-price", "name", "-created_at"]
ADDRESS = {
    "name": "Load Tester",
    "line1": "1 Bench Road",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}
CONTRACT_CONFLICTS = {"INSUFFICIENT_STOCK", "PRODUCT_DISCONTINUED"}


def _error_code(response) -> str:
    try:
        return response.json()["error"]["code"]
    except Exception:  # noqa: BLE001 - not the envelope: reported as a failure below
        return ""


class Shopper(FastHttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(TOKENS)}", "Content-Type": "application/json"}
        self.cart: set[str] = set()

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, headers=self.headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {_error_code(response)}")

    def _write(self, method: str, url: str, name: str, body: dict | None, ok: tuple[int, ...]) -> int:
        with self.client.request(
            method,
            url,
            name=name,
            headers=self.headers,
            data=json.dumps(body) if body else None,
            catch_response=True,
        ) as response:
            code = _error_code(response)
            if response.status_code in ok:
                response.success()
            elif response.status_code == 409 and code in CONTRACT_CONFLICTS:
                response.success()  # the contract's answer to a sold-out product
            elif response.status_code == 404 and code == "NOT_FOUND" and method in ("PATCH", "DELETE"):
                response.success()  # the line was already gone
            else:
                response.failure(f"{response.status_code} {code}")
            return response.status_code

    @task(60)
    def browse(self) -> None:
        page = random.choice([1, 1, 1, 1, 2, 2, 3, 5])
        params = [f"page={page}"]
        if random.random() < 0.7:
            params.append(f"category={random.choice(FIXTURE['categories'])}")
        if random.random() < 0.4:
            low = random.choice([0, 5, 10, 20, 50])
            params.append(f"min_price={low}&max_price={low + random.choice([10, 25, 100])}")
        if random.random() < 0.3:
            params.append("in_stock=true")
        if random.random() < 0.5:
            params.append(f"ordering={random.choice(ORDERINGS)}")
        url, name = f"/api/products/?{'&'.join(params)}", "GET /api/products/ (browse/filter)"
        with self.client.get(url, name=name, headers=self.headers, catch_response=True) as response:
            if response.status_code == 404 and page > 1 and _error_code(response) == "NOT_FOUND":
                response.success()  # a narrow filter has fewer pages: the contract's 404
            elif response.status_code != 200:
                response.failure(f"{response.status_code} {_error_code(response)}")

    @task(15)
    def search(self) -> None:
        words = " ".join(random.sample(FIXTURE["words"], random.choice([1, 1, 2])))
        self._get(f"/api/products/?search={words}", "GET /api/products/?search=")

    @task(10)
    def detail(self) -> None:
        self._get(f"/api/products/{random.choice(FIXTURE['products'])}/", "GET /api/products/{id}/")

    @task(10)
    def cart(self) -> None:
        action = random.random()
        if action < 0.4 or not self.cart:
            product = random.choice(FIXTURE["products"])
            if (
                self._write(
                    "POST",
                    "/api/cart/items/",
                    "POST /api/cart/items/",
                    {"product_id": product, "quantity": 1},
                    (201,),
                )
                == 201
            ):
                self.cart.add(product)
        elif action < 0.7:
            self._get("/api/cart/", "GET /api/cart/")
        elif action < 0.85:
            product = random.choice(sorted(self.cart))
            self._write(
                "PATCH", f"/api/cart/items/{product}/", "PATCH /api/cart/items/{id}/", {"quantity": 2}, (200,)
            )
        else:
            product = self.cart.pop()
            self._write("DELETE", f"/api/cart/items/{product}/", "DELETE /api/cart/items/{id}/", None, (200,))

    @task(5)
    def checkout(self) -> None:
        self._write(
            "POST",
            "/api/cart/items/",
            "POST /api/cart/items/",
            {"product_id": random.choice(FIXTURE["hot_products"]), "quantity": 1},
            (201,),
        )
        with self.client.post(
            "/api/orders/",
            name="POST /api/orders/ (checkout)",
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
            data=json.dumps({"shipping_address": ADDRESS, "payment": {"method": "card", "token": "tok_ok"}}),
            catch_response=True,
        ) as response:
            code = _error_code(response)
            if response.status_code == 201 or (response.status_code == 409 and code in CONTRACT_CONFLICTS):
                response.success()
            elif response.status_code == 400 and code == "CART_EMPTY":
                response.success()  # a sold-out add left nothing to buy
            else:
                response.failure(f"{response.status_code} {code}")
        self.cart.clear()
