"""Hooks that the accounts app publishes for the apps above it (docs/architecture.md).

``accounts`` is the floor under catalog, cart and orders: it never imports them. When
something here must cause something there, it sends one of these signals and the upper app
connects its receiver in its ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# Sent by ``accounts.services.user_delete`` inside its transaction, before the user row is
# deleted, with ``user``. A receiver that raises rolls the deletion back. Subscribers:
# ``orders`` (the user's orders lose their personal data; they stay for the shop's books).
user_deleting = Signal()

# Sent by ``accounts.services.user_login`` (and the social sign-in) once a user has signed in,
# outside any transaction, with ``user`` and ``cart_token``: the ``X-Cart-Token`` header of the
# sign-in request, or None. Accounts does not know what the token is; ``cart`` connects
# ``cart.services.cart_merge_at_sign_in`` (the guest cart joins the user's). Sent with
# ``send_robust``: a receiver that fails is logged and never fails the sign-in.
user_signed_in = Signal()

# Sent by ``accounts.services`` when a user's email address is proven theirs (the verification
# link, or a provider that vouches for it), inside that transaction, with ``user``. Subscribers:
# ``orders`` (guest orders placed with that email join the account's history).
email_verified = Signal()
