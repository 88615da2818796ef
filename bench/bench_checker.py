"""Checker speed: `python -m catalog check` on 1,000 and 5,000 files against a bare YAML-parsing floor.

The floor is the least any checker must do: start Python, read every file, split off the
front-matter and parse it with PyYAML's C safe loader. The checker meets the bar when it takes at
most twice the floor at 5,000 files and grows no worse than linearly (5,000 files ≤ 5.5 × 1,000).
"""
from __future__ import annotations

import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "catalog" / "activities"
SIZES = (1000, 5000)
RUNS = 3
MAX_RATIO = 2.0
MAX_SCALING = 5.5

FLOOR = r"""
import sys
from pathlib import Path
import yaml
n = 0
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---\n", 3)
    data = yaml.load(text[4:end + 1], Loader=yaml.CSafeLoader)
    n += isinstance(data, dict)
print(n)
"""

TOPICS = ["Antimicrobial Resistance", "Sepsis", "Mycology", "Virology", "Molecular Diagnostics",
          "Tuberculosis", "HIV", "Infection Prevention", "Parasitology", "Laboratory Safety"]
FIRST = ["Amara", "Bilal", "Chen", "Dolores", "Emeka", "Freya", "Gustavo", "Hana", "Ishaan", "Jolene"]
LAST = ["Abernathy", "Bakshi", "Castellano", "Dimitrov", "Eze", "Fairweather", "Guzman", "Halvorsen"]


def _templates() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.md"))
            if "draft: true" not in p.read_text(encoding="utf-8")]


def _vary(text: str, i: int, rng: random.Random) -> str:
    """One realistic variant: its own title, faculty names, price, tags and objective order."""
    text = re.sub(r"^title: (.*)$", lambda m: f"title: \"{TOPICS[i % len(TOPICS)]} Series {i}: "
                  f"{m.group(1).strip(chr(34))}\"", text, count=1, flags=re.M)
    text = re.sub(r"^(  - name: )[A-Z][^,\n]*", lambda m: f"{m.group(1)}{rng.choice(FIRST)} "
                  f"{rng.choice(LAST)}", text, flags=re.M)
    text = re.sub(r"^price: .*$", f"price: {rng.choice(['0', '15.00', '25.00', '40.00'])}", text,
                  count=1, flags=re.M)
    text = re.sub(r"^tags: \[(.*)\]$", lambda m: f"tags: [{m.group(1)}, {TOPICS[(i * 7) % 10].lower()}]",
                  text, count=1, flags=re.M)
    # Every activity its own UAN and P.A.C.E. program (the checker refuses shared ones): a sequence
    # number, then an ACPE topic 01-08, per copy.
    text = re.sub(r'(uan: "[0-9JA]+-\d{4}-\d{2}-)\d{3}-([LH])\d{2}',
                  lambda m: f"{m.group(1)}{i % 1000:03d}-{m.group(2)}0{i // 1000 % 8 + 1}", text)
    text = re.sub(r'program: "[^"]*"', f'program: "B{i:05d}"', text)
    if i % 50 == 7:  # a few files with a convener's mistake, as a real catalogue has
        text = text.replace("objectives:\n  - ", "objectives:\n  - Understand the topic.\n  - ", 1)
    return text


def generate(folder: Path, n: int) -> None:
    rng = random.Random(n)
    templates = _templates()
    folder.mkdir(parents=True)
    for i in range(n):
        text = _vary(templates[i % len(templates)], i, rng)
        (folder / f"activity-{i:05d}.md").write_text(text, encoding="utf-8")
        if (i + 1) % 250 == 0 or i + 1 == n:
            end = "\n" if i + 1 == n else "\r"
            print(f"  generating {n:,} activity files: {i + 1:,}/{n:,}", end=end, flush=True)


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of `argv` as a subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_of(*argvs: list[str], runs: int = RUNS) -> list[tuple[float, float]]:
    """Best wall and CPU time of each command; runs alternate so both see the same machine load."""
    best = [(float("inf"), float("inf"))] * len(argvs)
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            wall, cpu = run_once(argv)
            best[i] = (min(best[i][0], wall), min(best[i][1], cpu))
    return best


def main() -> int:
    times: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-checker-") as tmp:
        for n in SIZES:
            folder = Path(tmp) / f"n{n}"
            generate(folder, n)
            size = sum(p.stat().st_size for p in folder.iterdir()) / n
            (checker, checker_cpu), (floor, floor_cpu) = best_of(
                [sys.executable, "-m", "catalog", "check", str(folder)],
                [sys.executable, "-c", FLOOR, str(folder)])
            times[n] = (checker, floor)
            print(f"  {n:>5,} files (~{size / 1024:.1f} KiB each): check {checker:6.2f} s   "
                  f"floor {floor:6.2f} s   ratio {checker / floor:4.2f}   (best of {RUNS}, wall clock; "
                  f"CPU: {checker_cpu:.2f} s / {floor_cpu:.2f} s = {checker_cpu / floor_cpu:.2f})",
                  flush=True)
    small, large = SIZES
    ratio = times[large][0] / times[large][1]
    scaling = times[large][0] / times[small][0]
    print(f"  scaling {large:,}/{small:,}: check ×{scaling:.2f}, floor "
          f"×{times[large][1] / times[small][1]:.2f}   (bar: ratio ≤ {MAX_RATIO} at {large:,}, "
          f"scaling ≤ {MAX_SCALING})")
    ok = ratio <= MAX_RATIO and scaling <= MAX_SCALING
    print(f"  {'meets' if ok else 'MISSES'} the bar: ratio {ratio:.2f} at {large:,}, scaling {scaling:.2f}")
    return 0 if ok else 1
