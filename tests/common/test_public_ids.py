"""Public ids (``ecommerce.common.fields.PublicIdGenerator``): ``<prefix>_`` and 16 base-62
characters, every character of the alphabet equally likely in every position."""

from __future__ import annotations

import re
from collections import Counter

from ecommerce.common.fields import _ALPHABET, PUBLIC_ID_RANDOM_LENGTH, PublicIdGenerator


def test_a_public_id_is_its_prefix_and_sixteen_base62_characters():
    ids = [PublicIdGenerator("ord")() for _ in range(1000)]
    assert all(re.fullmatch(r"ord_[A-Za-z0-9]{16}", i) for i in ids)
    assert len(set(ids)) == 1000


def test_every_character_is_drawn_in_every_position_about_equally():
    """6,200 ids: each character is expected 100 times per position (standard deviation ≈ 10).
    A fair draw misses one with probability e**-100, and falls outside 40–175 in any of the 992
    cells with a probability under 1e-7 (Chernoff): the bounds only catch a skewed draw."""
    make = PublicIdGenerator("x")
    suffixes = [make()[2:] for _ in range(6200)]
    for position in range(PUBLIC_ID_RANDOM_LENGTH):
        counts = Counter(suffix[position] for suffix in suffixes)
        assert set(counts) == set(_ALPHABET), position
        assert 40 <= min(counts.values()) and max(counts.values()) <= 175, (position, counts.most_common(2))
