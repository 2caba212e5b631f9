"""Contract-scoped commands and builds at national scale (issue 17): the CLI wall time of each
command given one contract, on a build of 1 contract and on a build of N synthetic contracts, and
their ratio; the cold build, the build after editing one sheet, the whole gap report and validation
(with nothing kept, after one sheet edited, with every contract's result kept), and the export of
the whole graph.

    python bench/scoped.py                   # 1 and 500 contracts
    python bench/scoped.py --sizes 1,50      # quicker

Everything runs as a user runs it (`cvgraph …` in a new process). Each command runs three times and
the median is printed. The cold build is timed once per size, with its peak memory; then one sheet
is edited (its title) and the build run again, three times (median). The "must hold" targets of
issue 17: at the largest size, each command ≤ 3× its time at 1 contract and ≤ 0.5 s; the build
after editing one sheet ≤ 0.1× the cold build and ≤ 3 s. The figures are written to
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


def timed(args: list[str], runs: int = 3, exits=(0,)) -> list[float]:
    """The wall times of `runs` runs, in order (the first one has no kept result to read)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(cli() + args, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if done.returncode not in exits:
            raise SystemExit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return times


def peak_run(args: list[str]) -> tuple[float, float]:
    """Wall time and peak memory (MiB) of one `cvgraph …` run."""
    t = time.perf_counter()
    proc = subprocess.Popen(cli() + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.read().decode()[-300:]}")
    return seconds, usage.ru_maxrss / 1024


def edited_builds(data: Path, out: Path, runs: int = 3) -> list[float]:
    """Edit one sheet (its title), build again; `runs` times, each with a new title."""
    sheets = sorted((data / "contracts").glob("*.yaml"))
    sheet = sheets[len(sheets) // 2]
    text = sheet.read_text(encoding="utf-8")
    times = []
    for k in range(runs):
        sheet.write_text(text.replace("title: ", f"title: (édition {k + 1}) ", 1), encoding="utf-8")
        times += timed(["build", "--data", str(data), "--out", str(out)], runs=1)
    sheet.write_text(text, encoding="utf-8")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,500")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scoped.json")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    from cvgraph.progress import progress
    from cvgraph.store import store_size
    from cvgraph.synth import generate

    results = {"machine": {"cpu": cpu(), "cores": os.cpu_count(), "python": platform.python_version()},
               "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = generate(Path(tmp) / f"data-{n}", n, seed=1)
            out = Path(tmp) / f"build-{n}"
            seconds, peak = peak_run(["build", "--data", str(data), "--out", str(out)])
            triples = json.loads((out / "summary.json").read_text(encoding="utf-8"))["triples"]
            row = {"build_s": round(seconds, 2), "build_peak_mb": round(peak), "triples": triples,
                   "store_mb": round(store_size(out) / 2**20, 1), "commands": {}}
            for name, cmd in progress(list(COMMANDS.items()), len(COMMANDS), f"bench: commands at {n} c."):
                times = timed(cmd + ["--graph", str(out)])
                row["commands"][name] = round(statistics.median(times), 3)
                row.setdefault("first_run", {})[name] = round(times[0], 3)
            whole_gaps = ["gaps", "--graph", str(out), "--format", "csv"]
            whole_validate = ["validate", "--graph", str(out), "--format", "csv"]
            row["whole_gaps_first_s"] = round(timed(whole_gaps, runs=1)[0], 2)      # nothing kept yet
            row["whole_validate_first_s"] = round(timed(whole_validate, runs=1, exits=(0, 1))[0], 2)
            edits = edited_builds(data, out)
            row["edit_one_sheet_build_s"] = round(statistics.median(edits), 2)
            row["whole_gaps_after_edit_s"] = round(timed(whole_gaps, runs=1)[0], 2)  # one contract again
            row["whole_gaps_kept_s"] = round(timed(whole_gaps, runs=1)[0], 2)        # every contract kept
            row["whole_validate_after_edit_s"] = round(timed(whole_validate, runs=1, exits=(0, 1))[0], 2)
            row["whole_validate_kept_s"] = round(timed(whole_validate, runs=1, exits=(0, 1))[0], 2)
            row["who_funds_what_nation_s"] = round(timed(["query", "who-funds-what", "--graph", str(out),
                                                          "--format", "csv"], runs=1)[0], 2)
            row["export_nt_s"] = round(timed(["export", "--graph", str(out), "--format", "nt", "--out",
                                              str(Path(tmp) / "graph.nt")], runs=1)[0], 2)
            results["sizes"][n] = row
            print(f"{n} contracts: {triples} triples, cold build {seconds:.1f} s (peak {peak:.0f} MiB), store "
                  f"{row['store_mb']} MB; edit one sheet and build again {row['edit_one_sheet_build_s']:.2f} s "
                  f"({row['edit_one_sheet_build_s'] / seconds:.3f}× the cold build); export graph.nt "
                  f"{row['export_nt_s']:.1f} s", flush=True)
    small, large = min(sizes), max(sizes)
    print(f"\nCLI wall time, median of 3 ({cpu()}, {os.cpu_count()} cores, Python {platform.python_version()})")
    print(f"{'command':44} {small:>6} c. {large:>6} c.  ratio  ≤3× and ≤0.5 s   first run at {large} c.")
    for name in COMMANDS:
        a, b = results["sizes"][small]["commands"][name], results["sizes"][large]["commands"][name]
        ok = "yes" if b <= 3 * a and b <= 0.5 else "no"
        first = results["sizes"][large]["first_run"][name]
        print(f"{name:44} {a:8.3f} s {b:8.3f} s {b / a:6.1f}  {ok:16} {first:8.3f} s")
    print("(gaps keeps one contract's result in the build folder: its first run computes it, the next ones read it)")
    big = results["sizes"][large]
    edit, cold = big["edit_one_sheet_build_s"], big["build_s"]
    ok = "yes" if edit <= 0.1 * cold and edit <= 3 else "no"
    print(f"whole gap report at {large} c.: {big['whole_gaps_first_s']:.1f} s with nothing kept, "
          f"{big['whole_gaps_after_edit_s']:.1f} s after one sheet edited, {big['whole_gaps_kept_s']:.1f} s with every "
          f"contract kept; who-funds-what of every contract {big['who_funds_what_nation_s']:.1f} s")
    print(f"whole validation at {large} c.: {big['whole_validate_first_s']:.1f} s with nothing kept, "
          f"{big['whole_validate_after_edit_s']:.1f} s after one sheet edited, {big['whole_validate_kept_s']:.1f} s "
          "with every contract kept")
    print(f"\nbuild at {large} c.: cold {cold:.1f} s (peak {big['build_peak_mb']} MiB); edit one sheet and build "
          f"again {edit:.2f} s = {edit / cold:.3f}× cold; ≤0.1× and ≤3 s: {ok}; export graph.nt {big['export_nt_s']:.1f} s")
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
