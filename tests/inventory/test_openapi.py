"""The OpenAPI document shows the four inventory operations with the contract's examples."""

from __future__ import annotations

import pytest


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _example_values(operation: dict, where: str) -> list:
    if where == "request":
        content = operation["requestBody"]["content"]["application/json"]
        return [e["value"] for e in content["examples"].values()]
    values = []
    for response in operation["responses"].values():
        for example in response.get("content", {}).get("application/json", {}).get("examples", {}).values():
            values.append(example["value"])
    return values


@pytest.mark.django_db
def test_four_operations_with_contract_examples(schema):
    paths = schema["paths"]
    products = paths["/api/inventory/products/"]
    discontinue = paths["/api/inventory/discontinue/"]["post"]
    process = paths["/api/orders/process/"]["post"]

    upsert_requests = _example_values(products["post"], "request")
    assert upsert_requests[0]["products"][0] == {
        "name": "Premium Coffee Beans",
        "price": 15.99,
        "quantity": 100,
    }
    assert {
        "id": "prod_001",
        "name": "Premium Coffee Beans",
        "price": 15.99,
        "quantity": 100,
    } in _example_values(products["get"], "response")[0]["products"]
    assert _example_values(discontinue, "request") == [{"manager_id": "mgr_123", "product_id": "prod_001"}]
    assert _example_values(process, "request")[0]["customer"] == {
        "id": "cust_456",
        "email": "customer@example.com",
    }
    assert {"order_id": "ord_789", "status": "processed", "total_amount": 44.97} in _example_values(
        process, "response"
    )

    assert set(products["post"]["responses"]) >= {"201", "400", "404", "429"}
    assert set(products["get"]["responses"]) >= {"200", "400", "429"}
    assert set(discontinue["responses"]) >= {"204", "400", "404", "429"}
    assert set(process["responses"]) >= {"200", "400", "404", "409", "429"}
    # The contract's business errors (every other error status has a generated example too).
    business = {"404": process["responses"]["404"], "409": process["responses"]["409"]}
    codes = {e["error"]["code"] for e in _example_values({"responses": business}, "response")}
    assert codes == {"PRODUCT_NOT_FOUND", "INSUFFICIENT_STOCK", "PRODUCT_DISCONTINUED"}
    status_param = next(p for p in products["get"]["parameters"] if p["name"] == "status")
    assert status_param["schema"]["enum"] == ["discontinued", "in_stock", "out_of_stock"]
