"""``--shard K/N`` (tests/helpers/shards.py): the parts cover the suite once, in balance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.shards import shard_parse, shard_split


@pytest.mark.parametrize("count", [1, 2, 3, 7])
@pytest.mark.parametrize("size", [0, 1, 5, 100, 3551])
def test_the_parts_hold_every_test_once_and_differ_by_at_most_one(size, count):
    items = [f"test_{index}" for index in range(size)]
    parts = [shard_split(items, part, count) for part in range(1, count + 1)]
    kept = [test for part, _ in parts for test in part]
    assert sorted(kept) == sorted(items)
    assert len(kept) == len(set(kept))
    sizes = [len(part) for part, _ in parts]
    assert max(sizes) - min(sizes) <= 1
    for part, left in parts:
        assert sorted(part + left) == sorted(items)
        assert part == [test for test in items if test in set(part)]  # collection order kept


def test_neighbouring_tests_go_to_different_parts():
    first, _ = shard_split(["a", "b", "c", "d"], 1, 2)
    second, _ = shard_split(["a", "b", "c", "d"], 2, 2)
    assert (first, second) == (["a", "c"], ["b", "d"])


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "x/2", "2", ""])
def test_a_bad_shard_is_refused(value):
    with pytest.raises(ValueError):
        shard_parse(value)


def test_a_shard_is_a_partial_run_for_the_error_code_comparison():
    from tests.helpers.api_observations import partial_run_reason

    class Option:
        shard = (1, 2)

    class Config:
        option = Option()

    assert partial_run_reason(Config()) == "--shard 1/2 runs a part of the suite"


def _collected(*args: str) -> subprocess.CompletedProcess[str]:
    """``pytest --collect-only`` of this file in a new process, with ``args``."""
    here = Path(__file__)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "--no-cov",
            "-p",
            "no:cacheprovider",
            *args,
            str(here),
        ],
        cwd=here.parent.parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ecommerce.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )


def _node_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_option_runs_each_collected_test_in_exactly_one_part():
    whole = _node_ids(_collected())
    first, second = _node_ids(_collected("--shard", "1/2")), _node_ids(_collected("--shard", "2/2"))
    assert len(whole) > 10
    assert first == whole[0::2]
    assert second == whole[1::2]


def test_a_bad_shard_option_is_a_usage_error():
    result = _collected("--shard", "3/2")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--shard" in result.stderr
