"""Rules for the test suite itself, checked by reading the test files (no Django needed).

- A test module never imports another test module (``test_*.py``) or a ``conftest.py``: shared
  assertions, bodies, fake servers and helpers live in ``tests/helpers/``; a ``conftest.py``
  holds fixtures only, which pytest hands to the tests that name them.
- A test that starts threads of its own carries the ``concurrency`` marker, so ``make test-fast``
  leaves it out and a reader sees at once that timing matters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TEST_MODULES = sorted(TESTS.rglob("test_*.py"))
# Names whose use inside a test function means the test runs threads of its own.
THREADING_NAMES = {"Thread", "Barrier", "ThreadPoolExecutor", "run_in_threads"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def _imported_modules(tree: ast.Module, path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved), with each
    ``from X import Y`` also yielding ``X.Y`` (Y may be a module)."""
    package = _module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_imports_another_test_module(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    wrong = sorted(m for m in _imported_modules(tree, path) if _is_test_module(m) and m != _module_name(path))
    assert not wrong, f"{path.relative_to(TESTS)} imports {wrong}: move what it needs to tests/helpers/"


def test_the_import_rule_sees_absolute_relative_and_conftest_imports() -> None:
    """The checker itself: absolute, relative, module and conftest imports are found;
    helpers and factories pass."""
    path = TESTS / "orders" / "test_example.py"
    source = (
        "from tests.analytics.test_rollup import live_state\n"
        "from .test_checkout import checkout_body\n"
        "from tests.orders import test_stock\n"
        "from .conftest import shopper\n"
        "from tests.helpers.fake_psp import FakePsp\n"
        "from tests.factories import ProductFactory\n"
    )
    found = {m for m in _imported_modules(ast.parse(source), path) if _is_test_module(m)}
    assert found == {
        "tests.analytics.test_rollup",
        "tests.orders.test_checkout",
        "tests.orders.test_stock",
        "tests.orders.conftest",
    }


def _marker_names(decorators: list[ast.expr]) -> set[str]:
    names = set()
    for decorator in decorators:
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def _module_markers(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            return {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
    return set()


def _uses_threads(function: ast.AST) -> bool:
    for node in ast.walk(function):
        name = (
            node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        )
        if name in THREADING_NAMES:
            return True
    return False


def _threaded_tests_without_marker(tree: ast.Module) -> list[str]:
    module_marked = "concurrency" in _module_markers(tree)
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            if (
                _uses_threads(node)
                and not module_marked
                and "concurrency" not in _marker_names(node.decorator_list)
            ):
                missing.append(node.name)
    return missing


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_threaded_test_carries_the_concurrency_marker(path: Path) -> None:
    missing = _threaded_tests_without_marker(ast.parse(path.read_text(), filename=str(path)))
    assert not missing, f"{path.relative_to(TESTS)}: {missing} start threads without @pytest.mark.concurrency"


def test_the_marker_rule_finds_an_unmarked_threaded_test() -> None:
    source = (
        "import pytest, threading\n"
        "def test_a():\n    threading.Thread(target=print).start()\n"
        "@pytest.mark.concurrency\ndef test_b():\n    run_in_threads(print, 2)\n"
        "def test_c():\n    assert True\n"
    )
    assert _threaded_tests_without_marker(ast.parse(source)) == ["test_a"]
