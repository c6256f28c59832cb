"""``make bench``: run every benchmark, print a table, write benchmarks/results/*.json.

``python -m benchmarks.run [name ...]`` runs only the named suites.
"""

from __future__ import annotations

import importlib
import sys

from benchmarks.common import table, write

SUITES = {
    "content": "benchmarks.content",
    "tracker": "benchmarks.tracker",
    "scheduler": "benchmarks.scheduler",
}


def main(names: list[str]) -> int:
    """Run the chosen suites (all by default)."""
    chosen = names or list(SUITES)
    for name in chosen:
        module = importlib.import_module(SUITES[name])
        rows = module.run()
        print(table(name, rows), flush=True)
        print(f"  -> {write(name, rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
