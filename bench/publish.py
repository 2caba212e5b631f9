"""Time `cvgraph publish` on generated contracts: the first publish of a build (which computes the
gaps, each contract's matrix and gap report, and the reader pages) and a second one (gaps kept).

    python bench/publish.py --contracts 50

Prints the seconds, the peak memory of the publishing process and the size of the site. The
machine matters: state it with every figure (the script prints its processor and core count).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu  # noqa: E402  (bench/, beside this script)


def timed(args: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (MiB) of one cvgraph command, run as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cvgraph.cli", *args], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contracts", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", help="working folder (default: a temporary one)")
    args = ap.parse_args()
    from cvgraph.synth import generate

    work = Path(args.work or tempfile.mkdtemp(prefix="cvgraph-bench-publish-"))
    data = generate(work / "data", args.contracts, seed=args.seed)
    print(f"machine: {cpu()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    seconds, _ = timed(["build", "--data", str(data), "--out", str(work / "build")])
    print(f"build of {args.contracts} contracts: {seconds:.1f} s")
    for label, out in (("publish (first: gaps computed)", "site"), ("publish again (gaps kept)", "site2")):
        seconds, peak = timed(["publish", "--graph", str(work / "build"), "--out", str(work / out)])
        files = sum(1 for p in (work / out).rglob("*") if p.is_file())
        print(f"{label}: {seconds:.1f} s, peak {peak} MiB (largest process so far), {files} files")


if __name__ == "__main__":
    main()
