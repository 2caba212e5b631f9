"""Contract-scoped commands at national scale (issue 17): the CLI wall time of each command given
one contract, on a build of 1 contract and on a build of N synthetic contracts, and their ratio.

    python bench/scoped.py                   # 1 and 500 contracts
    python bench/scoped.py --sizes 1,50      # quicker

Each command runs as a user runs it (`cvgraph …` in a new process), three times; the median is
printed. The build is timed once per size (cold). The "must hold" target of issue 17: at the largest
size, each command ≤ 3× its time at 1 contract and ≤ 0.5 s. The figures are written to
bench/results-scoped.json with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _machine import cpu  # noqa: E402  (bench/, beside this script)

C = "synth-0001"
COMMANDS = {
    "matrix --contract X --format csv": ["matrix", "--contract", C, "--format", "csv"],
    "gaps --contract X --format csv": ["gaps", "--contract", C, "--format", "csv"],
    "query orientation-sheet (contract X, O1)": ["query", "orientation-sheet", "-p", f"contract={C}", "-p",
                                                 "orientation=1", "--format", "csv"],
    "query who-funds-what (contract X)": ["query", "who-funds-what", "-p", f"contract={C}", "--format", "csv"],
    "network --contract X": ["network", "--contract", C],
}


def cli() -> list[str]:
    exe = Path(sys.executable).with_name("cvgraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cvgraph.cli"]


def timed(args: list[str], runs: int = 3) -> list[float]:
    """The wall times of `runs` runs, in order (the first one has no kept result to read)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(cli() + args, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,500")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scoped.json")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    from cvgraph.build import build
    from cvgraph.store import store_size
    from cvgraph.synth import generate

    results = {"machine": {"cpu": cpu(), "cores": os.cpu_count(), "python": platform.python_version()},
               "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = generate(Path(tmp) / f"data-{n}", n, seed=1)
            out = Path(tmp) / f"build-{n}"
            t = time.perf_counter()
            summary = build(data, out)
            seconds = time.perf_counter() - t
            row = {"build_s": round(seconds, 2), "triples": summary.triples, "store_mb": round(store_size(out) / 2**20, 1),
                   "commands": {}}
            for name, cmd in COMMANDS.items():
                times = timed(cmd + ["--graph", str(out)])
                row["commands"][name] = round(statistics.median(times), 3)
                row.setdefault("first_run", {})[name] = round(times[0], 3)
            results["sizes"][n] = row
            print(f"{n} contracts: {summary.triples} triples, cold build {seconds:.1f} s, store {row['store_mb']} MB",
                  flush=True)
    small, large = min(sizes), max(sizes)
    print(f"\nCLI wall time, median of 3 ({cpu()}, {os.cpu_count()} cores, Python {platform.python_version()})")
    print(f"{'command':44} {small:>6} c. {large:>6} c.  ratio  ≤3× and ≤0.5 s   first run at {large} c.")
    for name in COMMANDS:
        a, b = results["sizes"][small]["commands"][name], results["sizes"][large]["commands"][name]
        ok = "yes" if b <= 3 * a and b <= 0.5 else "no"
        first = results["sizes"][large]["first_run"][name]
        print(f"{name:44} {a:8.3f} s {b:8.3f} s {b / a:6.1f}  {ok:16} {first:8.3f} s")
    print("(gaps keeps one contract's result in the build folder: its first run computes it, the next ones read it)")
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
