"""Reading the key out of an account email."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from django.core import mail


def key_from_email(message: mail.EmailMessage) -> str:
    """The ``key`` of the link in an account email (text part): in the ``#key=…`` fragment of
    a backend page's link, or the ``?key=…`` query of a ``FRONTEND_URL`` link."""
    match = re.search(r"(https?://\S+)", message.body)
    assert match, message.body
    url = urlparse(match.group(1))
    return parse_qs(url.fragment or url.query)["key"][0]
