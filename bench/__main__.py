"""Run every benchmark module `bench/bench_*.py` (or those named on the command line) in turn.

Each module has a `main()` that prints its own progress and figures and returns 0 when it meets its
bar, 1 when it does not. Each runs in a fresh Python process, so one benchmark's memory or imports
never colour another's figures. The run ends with one summary line per benchmark.
"""
from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                           if m.name.startswith("bench_"))
    results = []
    for name in names:
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, "-c",
                              f"import sys, bench.{name} as m; "
                              f"print('\\n=== {name}: ' + (m.__doc__ or '').strip().splitlines()[0], flush=True); "
                              "sys.exit(m.main())"], cwd=ROOT)
        results.append((name, rc, time.perf_counter() - t0))
    print("\n=== summary")
    for name, rc, secs in results:
        verdict = "meets the bar" if rc == 0 else ("MISSES THE BAR" if rc == 1 else f"FAILED (exit {rc})")
        print(f"{name:<28} {verdict}  ({secs:.0f} s)")
    return 1 if any(rc for _, rc, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
