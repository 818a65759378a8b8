"""Request bodies for checkout tests."""

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "city": "London",
    "postal_code": "N1 7AA",
    "country": "GB",
}


def checkout_body(token: str = "tok_ok") -> dict:
    return {"shipping_address": dict(ADDRESS), "payment": {"method": "card", "token": token}}
