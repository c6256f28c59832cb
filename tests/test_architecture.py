"""The import rules, read from the source with ``ast``: the core never imports an adapter or
the composition root, and no coachbot modules import each other in a cycle.

Every import counts: at module level, inside functions, and under ``if TYPE_CHECKING:``
(a type named there is still a dependency a reader follows). Importing ``a.b.c`` also
runs the packages ``a`` and ``a.b``, so it counts as importing them too. There is no
exception list.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coachbot"
OUTSIDE_THE_CORE = ("coachbot.adapters", "coachbot.app", "coachbot.cli", "coachbot.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_core(module: str) -> bool:
    """Everything but the adapters, the composition root and the command line."""
    return not any(module == o or module.startswith(o + ".") for o in OUTSIDE_THE_CORE)


def imported(module: str) -> Iterator[str]:
    """The names ``module`` imports, wherever the import statement stands."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def dependencies(module: str) -> frozenset[str]:
    """The coachbot modules ``module`` imports, with the packages that importing runs."""
    found = set()
    for name in imported(module):
        parts = name.split(".")
        found.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return frozenset(name for name in found & modules().keys() if name != module)


def test_the_reader_sees_every_kind_of_import() -> None:
    # a function-level import, a TYPE_CHECKING one, a relative one: all are seen
    assert "coachbot.prompts.compose" in dependencies("coachbot.app")
    assert "coachbot.services" in dependencies("coachbot.tracker.cache")
    assert "coachbot.adapters.discord" in dependencies("coachbot.adapters.discord.delivery")
    assert len(modules()) > 100


@pytest.mark.parametrize("module", sorted(m for m in modules() if is_core(m)))
def test_the_core_never_imports_an_adapter_or_the_root(module: str) -> None:
    wrong = sorted(d for d in dependencies(module) if not is_core(d))
    assert not wrong, f"{module} imports {', '.join(wrong)}"


def test_no_import_cycle() -> None:
    graph = {module: dependencies(module) for module in modules()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail("import cycle, each module imported by the next: " + " -> ".join(exc.args[1]))
