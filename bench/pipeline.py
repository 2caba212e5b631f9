"""The whole pipeline at national scale: generate N synthetic contracts, build, validate, run every
named query, the gaps and the matrix, on both embedded backends; print a table and write JSON.

    python bench/pipeline.py                       # 1, 50 and 500 contracts
    python bench/pipeline.py --sizes 1,50 --out bench/results.json

Each step runs in a process of its own, so that its peak memory (ru_maxrss) is its own. rdflib's
store and pySHACL take minutes to hours at 500 contracts (see ../shared/ANCHORS.md): they run up
to --slow-max contracts (default 50) and are reported as not run above. Wherever both backends run,
the bench checks that they give the same rows (and both validators the same findings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _machine import cpu  # noqa: E402  (bench/, beside this script)


def params_for(name: str, contract: str) -> dict:
    return {"funder-profile": {"funder": "etat", "contract": contract},
            "orientation-sheet": {"contract": contract, "orientation": "1"},
            "contract-diff": {"from": contract, "to": contract},
            "orientations": {"contract": contract}}.get(name, {})


def peak_mb() -> float:
    """The peak resident memory of this step: its own, or that of its largest worker process."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


# --- steps (each in its own process) ------------------------------------------------------------

def step_build(data: str, out: str) -> dict:
    from cvgraph.build import build
    t = time.perf_counter()
    summary = build(Path(data), Path(out))
    return {"seconds": time.perf_counter() - t, "triples": summary.triples, "peak_mb": peak_mb()}


def step_validate(out: str, engine: str) -> dict:
    from cvgraph.graph import graph_file
    from cvgraph.validate import validate_files
    t = time.perf_counter()
    data = graph_file(Path(out))   # the whole graph as N-Triples, exported once per build (not timed below)
    export = time.perf_counter() - t
    t = time.perf_counter()
    report, used = validate_files([data], None, engine)
    seconds = time.perf_counter() - t
    keys = sorted({(f.severity, f.shape, f.focus, f.path, f.value) for f in report.findings})
    return {"seconds": seconds, "export_seconds": export, "engine": used, "findings": len(keys), "peak_mb": peak_mb(),
            "digest": hash_rows(keys)}


class Timeout(Exception):
    pass


def step_queries(out: str, backend: str, repeat: int, limit: int = 60) -> dict:
    from cvgraph.progress import progress
    from cvgraph.query import named_queries
    t = time.perf_counter()
    if backend == "pyoxigraph":
        from cvgraph.graph import load_store
        from cvgraph.query import run_embedded
        store = load_store(Path(out))
        run = lambda q, v: run_embedded(store, q, v)  # noqa: E731
    else:
        from cvgraph.graph import load_graph
        from cvgraph.query import run_rdflib
        graph = load_graph(Path(out))
        run = lambda q, v: run_rdflib(graph, q, v)  # noqa: E731
    load = time.perf_counter() - t
    contract = "synth-0001"
    import signal

    def alarm(*_):
        raise Timeout()
    signal.signal(signal.SIGALRM, alarm)
    medians, digests, rows, timeouts = {}, {}, {}, []
    for name, q in progress(sorted(named_queries().items()), len(named_queries()), "bench: queries"):
        times = []
        try:
            for _ in range(repeat):
                signal.alarm(limit)
                t = time.perf_counter()
                result = run(q, params_for(name, contract))
                times.append(time.perf_counter() - t)
                signal.alarm(0)
        except Timeout:
            timeouts.append(name)   # stopped after `limit` seconds: counted as `limit`
            medians[name] = float(limit)
            continue
        medians[name] = statistics.median(times)
        digests[name] = hash_rows(sorted(map(tuple, result.rows)))
        rows[name] = len(result.rows)
    return {"load_seconds": load, "median_seconds": medians, "digest": digests, "rows": rows,
            "timeouts": timeouts, "limit_seconds": limit, "peak_mb": peak_mb()}


def step_gaps(out: str) -> dict:
    from cvgraph.gaps import find_gaps
    from cvgraph.graph import load_store
    store = load_store(Path(out))
    times = []
    for _ in range(3 if len(store) < 1_000_000 else 1):   # one run at the largest sizes
        t = time.perf_counter()
        gaps = find_gaps(Path(out), store=store)
        times.append(time.perf_counter() - t)
    return {"median_seconds": statistics.median(times), "gaps": len(gaps), "peak_mb": peak_mb()}


def step_matrix(out: str) -> dict:
    from cvgraph.graph import load_store
    from cvgraph.matrix import build_matrix, to_csv, to_xlsx
    store = load_store(Path(out))
    times = []
    for _ in range(3):
        t = time.perf_counter()
        m = build_matrix(store, "synth-0001")
        to_csv(m)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    to_xlsx([m])
    return {"median_seconds": statistics.median(times), "xlsx_seconds": time.perf_counter() - t,
            "partners": len(m.rows), "peak_mb": peak_mb()}


def hash_rows(rows) -> str:
    import hashlib
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


STEPS = {"build": step_build, "validate": step_validate, "queries": step_queries, "gaps": step_gaps,
         "matrix": step_matrix}


def child(step: str, *args) -> dict:
    """Run one step in a fresh Python process; its JSON result."""
    proc = subprocess.run([sys.executable, __file__, "--step", step, *map(str, args)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the run -----------------------------------------------------------------------------------------

def run_size(n: int, work: Path, slow_max: int, repeat: int, limit: int = 60) -> dict:
    from cvgraph.synth import generate
    data, out = work / f"data-{n}", work / f"build-{n}"
    t = time.perf_counter()
    generate(data, n, seed=1)
    res = {"contracts": n, "generate_seconds": time.perf_counter() - t}
    res["build"] = child("build", data, out)
    res["validate"] = {"shacl-rust": child("validate", out, "shacl-rust")}
    if n <= slow_max:
        res["validate"]["pyshacl"] = child("validate", out, "pyshacl")
        res["validators_agree"] = res["validate"]["pyshacl"]["digest"] == res["validate"]["shacl-rust"]["digest"]
    res["queries"] = {"pyoxigraph": child("queries", out, "pyoxigraph", repeat)}
    if n <= slow_max:
        res["queries"]["rdflib"] = child("queries", out, "rdflib", repeat, limit)
        ox_, rd = res["queries"]["pyoxigraph"], res["queries"]["rdflib"]
        res["backends_agree"] = all(ox_["digest"][k] == v for k, v in rd["digest"].items())
        res["rdflib_timeouts"] = rd["timeouts"]
        res["rdflib_over_pyoxigraph"] = sum(rd["median_seconds"].values()) / sum(ox_["median_seconds"].values())
    res["gaps"] = child("gaps", out)
    res["matrix"] = child("matrix", out)
    res["peak_mb"] = max(v["peak_mb"] for v in (res["build"], *res["validate"].values(), *res["queries"].values(),
                                                res["gaps"], res["matrix"]))
    return res


def table(results: list[dict]) -> str:
    def f(x):
        return "–" if x is None else f"{x:.2f}" if isinstance(x, float) else str(x)
    head = ["contracts", "triples", "build s", "validate s (shacl-rust)", "validate s (pySHACL)",
            "slowest query s (pyoxigraph)", "queries total s (pyoxigraph / rdflib)", "gaps s", "matrix s",
            "peak MB", "same rows", "same findings"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        ox_ = r["queries"]["pyoxigraph"]["median_seconds"]
        rd = r["queries"].get("rdflib", {}).get("median_seconds")
        slowest = max(ox_, key=ox_.get)
        lines.append("| " + " | ".join([
            f(r["contracts"]), f(r["build"]["triples"]), f(r["build"]["seconds"]),
            f(r["validate"]["shacl-rust"]["seconds"]), f(r["validate"].get("pyshacl", {}).get("seconds")),
            f"{ox_[slowest]:.3f} ({slowest})", f"{sum(ox_.values()):.2f} / " + (
                f"≥{sum(rd.values()):.1f} ({len(r['rdflib_timeouts'])} stopped)" if rd and r.get("rdflib_timeouts")
                else f(sum(rd.values())) if rd else "–"),
            f(r["gaps"]["median_seconds"]), f(r["matrix"]["median_seconds"]), f(r["peak_mb"]),
            f(r.get("backends_agree")), f(r.get("validators_agree"))]) + " |")
    return "\n".join(lines)


def query_table(results: list[dict]) -> str:
    """Each named query's median time on pyoxigraph (and rdflib's store where it ran), and its rows."""
    sizes = [r["contracts"] for r in results]
    head = ["query"] + [f"{n} contract(s): s (rows)" for n in sizes]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in sorted(results[0]["queries"]["pyoxigraph"]["median_seconds"]):
        cells = [name]
        for r in results:
            ox_ = r["queries"]["pyoxigraph"]
            cell = f"{ox_['median_seconds'][name]:.3f} ({ox_['rows'].get(name, '–')})"
            rd = r["queries"].get("rdflib")
            if rd:
                cell += (f" / rdflib ≥{rd['limit_seconds']} (stopped)" if name in rd["timeouts"]
                         else f" / rdflib {rd['median_seconds'][name]:.3f}")
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,50,500")
    ap.add_argument("--slow-max", type=int, default=50, help="largest size for rdflib's store and pySHACL")
    ap.add_argument("--repeat", type=int, default=3, help="runs per query (the median is kept)")
    ap.add_argument("--limit", type=int, default=60, help="seconds an rdflib query may run before it is stopped")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    ap.add_argument("--work", help="working folder (default: a temporary one)")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step:
        fn = STEPS[a.step]
        args = [int(x) if x.isdigit() else x for x in a.args]
        print(json.dumps(fn(*args)))
        return
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="cvgraph-bench-"))
    results = []
    for n in (int(x) for x in a.sizes.split(",")):
        print(f"… {n} contract(s)", file=sys.stderr, flush=True)
        results.append(run_size(n, work, a.slow_max, a.repeat, a.limit))
        Path(a.out).write_text(json.dumps({"partial": True, "results": results}, indent=1) + "\n")
    import pyoxigraph
    import rdflib
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
               "processor": cpu(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
               "command": " ".join([Path(sys.executable).name, *sys.argv])}
    try:
        import importlib.metadata as md
        machine["shacl-rust"] = md.version("shacl-rust")
        machine["pyshacl"] = md.version("pyshacl")
    except Exception:
        pass
    Path(a.out).write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n")
    print(f"{machine['processor']}, {machine['cpus']} CPUs, Python {machine['python']}, pyoxigraph "
          f"{machine['pyoxigraph']}, rdflib {machine['rdflib']}, shacl-rust {machine.get('shacl-rust')}")
    print(table(results))
    print()
    print(query_table(results))
    print(f"(JSON: {a.out})")


if __name__ == "__main__":
    main()
