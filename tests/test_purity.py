"""The core stays platform-neutral and ``coachbot ask`` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "coachbot"
PLATFORM_LIBS = ("discord", "slack_bolt", "slack_sdk", "aiohttp")
# The edges: platform adapters, and the operator's HTTP server (coachbot.ops, on aiohttp).
EDGES = ("adapters", "ops")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_never_imports_a_platform_library() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] in EDGES:
            continue
        for name in imported_modules(path):
            if name.split(".")[0] in PLATFORM_LIBS:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_importing_the_core_loads_no_platform_library() -> None:
    code = (
        "import sys, coachbot.app, coachbot.dispatch, coachbot.commands.cto;"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {PLATFORM_LIBS!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_ask_imports_no_database_chat_or_plotting_library(tmp_path: Path) -> None:
    code = (
        "import sys, runpy; sys.argv=['coachbot','ask','--lang','en','what','is','a','CTO'];"
        "from coachbot.cli import main; main();"
        "heavy=[m for m in sys.modules if m.split('.')[0] in "
        "('discord','slack_bolt','slack_sdk','matplotlib','sqlmodel','sqlalchemy','apscheduler')];"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "HEAVY []" in out.stdout, out.stdout[-500:]
