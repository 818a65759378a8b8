"""The shop's one pricing function: lines, shipping and discounts in, every amount out.

Pure Python on :class:`~decimal.Decimal` (no Django, no app): the checkout session, the order and
the admin all price through :func:`pricing.engine.price`. The rules are in ``docs/pricing.md``.
"""
