"""Run every benchmark module `bench/bench_*.py` (or those named on the command line) in turn.

Each module has a `main()` that prints its own progress and figures and returns 0 when it meets its
bar, 1 when it does not. The run ends with one summary line per benchmark.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                           if m.name.startswith("bench_"))
    results = []
    for name in names:
        mod = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name}: {(mod.__doc__ or '').strip().splitlines()[0]}", flush=True)
        t0 = time.perf_counter()
        rc = mod.main()
        results.append((name, rc, time.perf_counter() - t0))
    print("\n=== summary")
    for name, rc, secs in results:
        print(f"{name:<28} {'meets the bar' if rc == 0 else 'MISSES THE BAR'}  ({secs:.0f} s)")
    return 1 if any(rc for _, rc, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
