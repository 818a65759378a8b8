"""``pytest --shard K/N``: run the K-th of N interleaved parts of the collected tests.

CI runs a long leg's parts side by side on separate databases (``.ci/run``); together the N
parts run every collected test exactly once. Every N-th test (not every N-th file) keeps the
parts' running times close, since neighbouring tests are alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def shard_parse(value: str) -> tuple[int, int]:
    """``"K/N"`` as ``(K, N)``, with 1 ≤ K ≤ N; ValueError otherwise."""
    part, _, count = value.partition("/")
    k, n = int(part), int(count)
    if not 1 <= k <= n:
        raise ValueError(f"--shard wants K/N with 1 <= K <= N, not {value!r}")
    return k, n


def shard_split(items: Sequence[T], part: int, count: int) -> tuple[list[T], list[T]]:
    """The items of part ``part`` of ``count`` (every ``count``-th, from the ``part``-th) and
    the others, each in their order."""
    kept = [item for index, item in enumerate(items) if index % count == part - 1]
    left = [item for index, item in enumerate(items) if index % count != part - 1]
    return kept, left
