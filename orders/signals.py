"""Hooks that the orders app publishes for the apps above it (docs/architecture.md).

``orders`` never imports ``analytics``: it sends these signals and analytics connects its
receiver in ``AnalyticsConfig.ready()``. Receivers run synchronously, in the transaction of the
change (``send``, not ``send_robust``): an error in one rolls the order change back.
"""

from django.dispatch import Signal

# Sent on every change of an order's status in the transaction that writes it: creation
# (``from_status=""``, with its lines) and each transition. Arguments: ``order``,
# ``from_status``, ``to_status`` and ``lines`` (the order's lines when the sender holds them in
# memory, else ``None``). Sender: the ``Order`` class. Subscribers: ``analytics`` (the daily
# rollups, kept exact in the same transaction).
order_status_changed = Signal(use_caching=True)
