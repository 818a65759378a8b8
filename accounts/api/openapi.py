"""OpenAPI declarations of the accounts operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

ERRORS: dict[str, tuple[str, ...]] = {
    "auth_register": (*JSON_BODY, E.RATE_LIMITED),
    "auth_verify_email": (*JSON_BODY,),
    "auth_resend_verification": (*JSON_BODY, E.RATE_LIMITED),
    "auth_login": (*JSON_BODY, E.INVALID_CREDENTIALS, E.EMAIL_NOT_VERIFIED, E.RATE_LIMITED),
    "auth_token_refresh": (*JSON_BODY, E.TOKEN_INVALID),
    "auth_logout": (*SIGNED_IN, *JSON_BODY),
    "auth_password_reset": (*JSON_BODY, E.RATE_LIMITED),
    "auth_password_reset_confirm": (*JSON_BODY,),
    "auth_password_change": (*SIGNED_IN, *JSON_BODY, E.RATE_LIMITED),
    "auth_me_retrieve": (*SIGNED_IN,),
    "auth_me_update": (*SIGNED_IN, *JSON_BODY, E.RATE_LIMITED),  # email changes
    "auth_me_delete": (*SIGNED_IN, *JSON_BODY, E.RATE_LIMITED),  # the body is {"password"}
    "auth_address_list": (*SIGNED_IN,),
    # INVALID_REQUEST also for the per-country rules (a field the country requires, a postal code
    # or region its data refuses); INVALID_STATE: the book is full (ADDRESSES_MAX_PER_USER)
    "auth_address_add": (*SIGNED_IN, *JSON_BODY, E.INVALID_STATE),
    "auth_address_retrieve": (*SIGNED_IN, E.NOT_FOUND),
    "auth_address_update": (*SIGNED_IN, *JSON_BODY, E.NOT_FOUND),
    "auth_address_delete": (*SIGNED_IN, E.NOT_FOUND),
    "auth_provider_list": (),
    "auth_social_login": (
        *JSON_BODY,
        E.INVALID_CREDENTIALS,
        E.EMAIL_NOT_VERIFIED,
        E.NOT_FOUND,
    ),
}

# drf-spectacular documents no body on DELETE; deleting the account needs the password.
REQUEST_BODIES: dict[str, dict[str, Any]] = {
    "auth_me_delete": {
        "type": "object",
        "properties": {"password": {"type": "string", "writeOnly": True, "maxLength": 128}},
        "required": ["password"],
    },
}

USER = {
    "id": "usr_1XFvqFEu6zn3fVaY",
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email_verified": True,
    "role": "customer",
    "date_joined": "2026-01-05T10:00:00Z",
    "pending_email": None,
}
ACCESS = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwic3ViIjoidXNyXzFYRnZxRkV1Nnpu"
    "M2ZWYVkiLCJyb2xlIjoiY3VzdG9tZXIifQ.VyEKwwEBrBH4lr2EpF4NHU1Ho8Kc4O6_2jWRzWNWdVQ"
)
REFRESH = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsInN1YiI6InVzcl8xWEZ2cUZFdTZ6"
    "bjNmVmFZIiwicm9sZSI6ImN1c3RvbWVyIn0.lPfeuq45OiR7Y9yL_1nYvy0ETrDGXjzHWALQfdqtjKA"
)
ADDRESS = {
    "id": "adr_4Tq9ZmL2xV7bN1cK",
    "name": "Ada Lovelace",
    "line1": "1600 Amphitheatre Parkway",
    "line2": "",
    "city": "Mountain View",
    "region": "CA",
    "postal_code": "94043",
    "country": "US",
    "phone": "+1 650 253 0000",
    "is_default_shipping": True,
    "is_default_billing": False,
}
OFFICE = {
    "id": "adr_8Wk3Hs5pR0yJd6Fe",
    "name": "Ada Lovelace",
    "line1": "Unter den Linden 1",
    "line2": "3. OG",
    "city": "Berlin",
    "region": "",
    "postal_code": "10117",
    "country": "DE",
    "phone": "",
    "is_default_shipping": False,
    "is_default_billing": True,
}
SIGNED_IN_BODY = {"access": ACCESS, "refresh": REFRESH, "user": USER}
KEY = "MQ:1uQxYb:3kTMd9xQ2b7VfLr8Q8wmZ1xL0pT4sV2c"

EXAMPLES: dict[str, dict[str, Any]] = {
    "auth_register": {
        "201": {"Account created (not verified yet)": {"user": {**USER, "email_verified": False}}}
    },
    "auth_verify_email": {
        "request": {"Key from the email": {"key": KEY}},
        "200": {"Verified": {"user": USER}},
    },
    "auth_resend_verification": {"request": {"Resend": {"email": "ada@example.com"}}},
    "auth_login": {"200": {"Signed in": SIGNED_IN_BODY}},
    "auth_token_refresh": {
        "request": {"Refresh": {"refresh": REFRESH}},
        "200": {"New pair": {"access": ACCESS, "refresh": REFRESH}},
    },
    "auth_logout": {"request": {"Sign out": {"refresh": REFRESH}}},
    "auth_password_reset": {"request": {"Forgot password": {"email": "ada@example.com"}}},
    "auth_password_reset_confirm": {
        "request": {"New password": {"key": KEY, "new_password": "difference-engine-1822"}},
        "200": {"Password set": {"user": USER}},
    },
    "auth_password_change": {
        "request": {
            "Change": {"current_password": "analytical-engine-1843", "new_password": "difference-engine-1822"}
        },
        "200": {"Changed; a fresh token pair": SIGNED_IN_BODY},
    },
    "auth_me_retrieve": {"200": {"Profile": USER}},
    "auth_me_update": {
        "request": {"New name and email": {"last_name": "King", "email": "ada.king@example.com"}},
        "200": {
            "Email change pending": {**USER, "last_name": "King", "pending_email": "ada.king@example.com"}
        },
    },
    "auth_me_delete": {"request": {"Confirm with the password": {"password": "analytical-engine-1843"}}},
    "auth_address_list": {"200": {"Two addresses": [ADDRESS, OFFICE]}},
    "auth_address_add": {
        "request": {
            "A US address (state required)": {
                "name": "Ada Lovelace",
                "line1": "1600 Amphitheatre Parkway",
                "city": "Mountain View",
                "region": "California",
                "postal_code": "94043",
                "country": "US",
                "phone": "+1 650 253 0000",
                "is_default_shipping": True,
            }
        },
        "201": {"Stored, region as its code": ADDRESS},
        "400": {
            "Postal code refused for the country": {
                "error": {
                    "code": "INVALID_REQUEST",
                    "message": "The address is not valid.",
                    "details": {"postal_code": "Not a valid postal code for Germany (e.g. 26133)."},
                }
            }
        },
    },
    "auth_address_retrieve": {"200": {"Address": ADDRESS}},
    "auth_address_update": {
        "request": {"Make it the default billing address": {"is_default_billing": True}},
        "200": {"Changed": {**ADDRESS, "is_default_billing": True}},
    },
    "auth_provider_list": {
        "200": {
            "Google configured": [
                {
                    "id": "google",
                    "name": "Google",
                    "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth?client_id=shop&"
                    "redirect_uri=https%3A%2F%2Fshop.example.com%2Fauth%2Fcallback%2Fgoogle&"
                    "response_type=code&scope=openid+email+profile&state=Q8wmZ1xL0pT4sV2c",
                }
            ]
        }
    },
    "auth_social_login": {"200": {"Signed in": SIGNED_IN_BODY}},
}


def _only(*fields: str, without: tuple[str, ...]) -> dict[str, Any]:
    return {"required": list(fields), "not": {"anyOf": [{"required": [name]} for name in without]}}


# SocialLoginSerializer.validate: exactly one of access_token, id_token, or code (with
# redirect_uri); redirect_uri and state may come with any of them.
COMPONENTS: dict[str, dict[str, Any]] = {
    "SocialLoginRequest": {
        "oneOf": [
            _only("access_token", without=("id_token", "code")),
            _only("id_token", without=("access_token", "code")),
            _only("code", "redirect_uri", without=("access_token", "id_token")),
        ],
    },
}
