"""`cvgraph serve` under load: start the server on 127.0.0.1, drive it from this process with
concurrent clients, and report throughput, latency percentiles, errors by kind and the server's
memory over the run.

    python bench/load.py                          # 32 clients, 60 s, on the seed graph
    python bench/load.py --clients 32 --seconds 60 --cache-mb 0 --out bench/load-nocache.json

The mix: every named query (parameters bound as `cvgraph query --endpoint` binds them, in JSON,
CSV or XML), resource pages in each format (HTML, Turtle, JSON-LD, N-Triples, chosen by Accept),
and deliberately heavy queries (a three-way cartesian product, a CONSTRUCT of the whole graph),
sent by one client every few seconds. Targets (issue 8): no error but the time limit on the heavy
queries; named queries' p99 under 200 ms; memory flat; the server answers normally after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _machine import cpu  # noqa: E402  (bench/, beside this script)

HEAVY = {
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "construct-all": "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o . ?x ?y ?s }",
}
RESULT_ACCEPT = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"]
PAGE_ACCEPT = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def named_requests() -> list[tuple[str, str]]:
    """(name, query text) of every named query, parameters bound by VALUES."""
    from cvgraph.query import bind, named_queries, with_values
    params = {"funder-profile": {"funder": "etat"},
              "orientation-sheet": {"contract": "coutras-2024-2030", "orientation": "5"},
              "contract-diff": {"from": "coutras-2015-2023", "to": "coutras-2024-2030"},
              "common-funders": {}}
    return [(name, with_values(q, bind(q, params.get(name, {})))) for name, q in sorted(named_queries().items())]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Client(threading.Thread):
    def __init__(self, i: int, port: int, deadline: float, plan, records: list, lock: threading.Lock):
        super().__init__(daemon=True)
        self.i, self.port, self.deadline, self.plan = i, port, deadline, plan
        self.records, self.lock = records, lock
        self.rng = random.Random(i)
        self.conn = None

    def request(self, kind: str, method: str, path: str, headers: dict, body: bytes | None = None):
        t = time.perf_counter()
        status, error = None, None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except Exception as err:   # a benchmark counts failures; it does not stop on them
            error = err.__class__.__name__
            if self.conn is not None:
                self.conn.close()
            self.conn = None
        with self.lock:
            self.records.append((kind, time.perf_counter() - t, status, error, time.monotonic()))

    def run(self):
        named, pages = self.plan["named"], self.plan["pages"]
        next_heavy = time.monotonic() + 2
        while time.monotonic() < self.deadline:
            if self.i == 0 and time.monotonic() >= next_heavy:
                name = self.rng.choice(sorted(HEAVY))
                body = urllib.parse.urlencode({"query": HEAVY[name]}).encode()
                accept = "application/n-triples" if name.startswith("construct") else "application/sparql-results+json"
                self.request("heavy", "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded",
                                                          "Accept": accept}, body)
                next_heavy = time.monotonic() + self.plan["heavy_every"]
            elif self.rng.random() < 0.5:
                _, text = self.rng.choice(named)
                self.request("named query", "POST", "/sparql",
                             {"Content-Type": "application/sparql-query", "Accept": self.rng.choice(RESULT_ACCEPT)},
                             text.encode())
            else:
                self.request("resource page", "GET", self.rng.choice(pages), {"Accept": self.rng.choice(PAGE_ACCEPT)})


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--graph", help="a build folder (default: build the embedded data into a temporary folder)")
    ap.add_argument("--time-limit", type=float, default=2.0, help="the server's --time-limit")
    ap.add_argument("--workers", type=int, default=2, help="the server's --workers")
    ap.add_argument("--cache-mb", type=int, default=64, help="the server's --cache-mb (0: every query runs)")
    ap.add_argument("--heavy-every", type=float, default=5.0, help="seconds between two heavy queries")
    ap.add_argument("--out", default=str(ROOT / "bench" / "load-results.json"))
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cvgraph-load-"))
    graph = Path(a.graph) if a.graph else work / "graph"
    if not a.graph:
        from cvgraph.build import build
        build(None, graph)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(work / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "cvgraph.cli", "serve", "--graph", str(graph), "--port", str(port),
                               "--time-limit", str(a.time_limit), "--workers", str(a.workers),
                               "--cache-mb", str(a.cache_mb)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base, timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("cvgraph serve did not start: " + (work / "serve.log").read_text()[-500:])
                time.sleep(0.2)
        with urllib.request.urlopen(base + "dump/cvgraph.nt", timeout=30) as r:
            subjects = sorted({line.split(" ", 1)[0][1:-1] for line in r.read().decode().splitlines()
                               if line.startswith("<" + base)})
        pages = [urllib.parse.urlsplit(s).path for s in subjects]
        plan = {"named": named_requests(), "pages": pages, "heavy_every": a.heavy_every}
        probe = ("POST", "/sparql", plan["named"][0][1])
        before = _probe(port, probe)

        records: list = []
        memory: list[tuple[float, float]] = []
        lock = threading.Lock()
        start = time.monotonic()
        end = start + a.seconds
        clients = [Client(i, port, end, plan, records, lock) for i in range(a.clients)]
        for c in clients:
            c.start()
        while time.monotonic() < end:
            memory.append((time.monotonic() - start, tree_rss_mb(server.pid)))
            time.sleep(1)
        for c in clients:
            c.join(timeout=a.time_limit * 3 + 60)
        after = _probe(port, probe)
        memory.append((time.monotonic() - start, tree_rss_mb(server.pid)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    report = summarise(records, memory, a, before, after, len(plan["pages"]))
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    print_report(report)
    print(f"(JSON: {a.out})")


def _probe(port: int, probe) -> tuple[int, str]:
    """A named query after (or before) the load: its status and the hash of its body."""
    import hashlib
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(probe[0], probe[1], body=probe[2].encode(),
                 headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, hashlib.sha256(body).hexdigest()[:16]


def summarise(records, memory, a, before, after, page_count) -> dict:
    kinds = {}
    for kind in ("named query", "resource page", "heavy"):
        rows = [r for r in records if r[0] == kind]
        ok = [r[1] for r in rows if r[2] == 200]
        errors: dict[str, int] = {}
        for r in rows:
            if r[2] != 200:
                key = r[3] or f"HTTP {r[2]}"
                errors[key] = errors.get(key, 0) + 1
        kinds[kind] = {"requests": len(rows), "per_second": len(rows) / a.seconds,
                       "p50_ms": 1000 * percentile(ok, 50), "p95_ms": 1000 * percentile(ok, 95),
                       "p99_ms": 1000 * percentile(ok, 99), "max_ms": 1000 * max(ok, default=float("nan")),
                       "all_p99_ms": 1000 * percentile([r[1] for r in rows], 99), "errors": errors}
    warm = [m for t, m in memory if t >= min(10.0, a.seconds / 3)]
    import cvgraph
    return {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "processor": cpu()},
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "settings": {"clients": a.clients, "seconds": a.seconds, "time_limit": a.time_limit, "workers": a.workers,
                     "cache_mb": a.cache_mb, "heavy_every": a.heavy_every, "resource_pages": page_count,
                     "cvgraph": str(Path(cvgraph.__file__).parent)},
        "total": {"requests": len(records), "per_second": len(records) / a.seconds},
        "kinds": kinds,
        "memory_mb": {"start": memory[0][1], "after_warm_up": warm[0] if warm else None,
                      "max": max(m for _, m in memory), "end": memory[-1][1],
                      "samples": [[round(t, 1), round(m, 1)] for t, m in memory]},
        "after": {"probe_before": before, "probe_after": after, "same_answer": before == after},
    }


def print_report(r: dict) -> None:
    m = r["machine"]
    s = r["settings"]
    print(f"{m['processor']}, {m['cpus']} CPUs, Python {m['python']}; {s['clients']} clients, {s['seconds']:g} s, "
          f"server --workers {s['workers']} --time-limit {s['time_limit']:g} --cache-mb {s['cache_mb']}")
    print("| kind | requests | per s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, k in r["kinds"].items():
        errors = ", ".join(f"{e}: {n}" for e, n in sorted(k["errors"].items())) or "none"
        print(f"| {kind} | {k['requests']} | {k['per_second']:.1f} | {k['p50_ms']:.1f} | {k['p95_ms']:.1f} | "
              f"{k['p99_ms']:.1f} | {k['max_ms']:.1f} | {errors} |")
    mem = r["memory_mb"]
    print(f"total {r['total']['requests']} requests, {r['total']['per_second']:.1f}/s; server memory (all its "
          f"processes) MB: start {mem['start']:.0f}, after warm-up {mem['after_warm_up'] or 0:.0f}, "
          f"max {mem['max']:.0f}, end {mem['end']:.0f}")
    print(f"after the load: probe {r['after']['probe_after'][0]}, same answer as before: {r['after']['same_answer']}")


if __name__ == "__main__":
    main()
