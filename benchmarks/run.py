"""``make bench``: run every benchmark, print a table, write benchmarks/results/*.json.

``python -m benchmarks.run [name ...]`` runs only the named suites.
"""

from __future__ import annotations

import importlib
import os
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
        before = os.getloadavg()
        rows = module.run()
        # other work on the machine shows in the tails: the load is kept with the figures
        load = {"before": _rounded(before), "after": _rounded(os.getloadavg())}
        print(table(name, rows), flush=True)
        print(f"  load average (1, 5, 15 min) before {load['before']}, after {load['after']}")
        print(f"  -> {write(name, rows, {'load_average': load})}")
    return 0


def _rounded(load: tuple[float, float, float]) -> list[float]:
    return [round(x, 2) for x in load]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
