"""Benchmark: gap queries as written (OPTIONAL + !BOUND, MINUS) against the FILTER NOT EXISTS form.

Copies every contract of the built graph N times (new contract IRIs and ids, shared registries),
loads the result in pyoxigraph, and prints, per gap query, the time of both forms and whether they
return the same rows.

    python bench/gap_forms.py [N]        # default N = 50; needs `cvgraph build` first

The NOT EXISTS form is given up after 60 s.
"""

import multiprocessing as mp
import platform
import re
import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_shapes import not_exists_form  # noqa: E402  (the same rewrite the tests check)

from cvgraph.graph import graph_file  # noqa: E402
from cvgraph.query import named_queries  # noqa: E402


def scaled_store(copies: int) -> tuple[ox.Store, int]:
    lines = graph_file().read_text(encoding="utf-8").splitlines()
    contract_lines = [ln for ln in lines if "/id/contract/" in ln]
    shared = [ln for ln in lines if "/id/contract/" not in ln]
    out = list(shared)
    for k in range(copies):
        for ln in contract_lines:
            ln = re.sub(r"(/id/contract/[a-z0-9-]+)", rf"\1-c{k}", ln)
            ln = re.sub(r'(<http://purl.org/dc/terms/identifier> ")([a-z0-9-]+)(")',
                        lambda m: m.group(1) + m.group(2) + f"-c{k}" + m.group(3)
                        if "/id/contract/" in ln.split(" ")[0] else m.group(0), ln)
            out.append(ln)
    store = ox.Store()
    store.bulk_load(("\n".join(out) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store, len(store)


def timed(store, text):
    start = time.perf_counter()
    rows = sorted(tuple("" if v is None else v.value for v in r) for r in store.query(text))
    return time.perf_counter() - start, rows


def _child(copies, text, queue):
    store, _ = scaled_store(copies)
    queue.put(timed(store, text))


def timed_with_limit(copies, text, limit):
    """`timed` in a fresh process with its own store (pyoxigraph has no query timeout), given up
    when no answer comes within `limit` seconds plus 120 s to load the copies. Loading is not
    counted in the time printed."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(copies, text, queue))
    child.start()
    try:
        return queue.get(timeout=limit + 120)  # 120 s to load the copies
    except Exception:
        return None, None
    finally:
        if child.is_alive():
            child.kill()
        child.join()


def main():
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    limit = 60
    store, triples = scaled_store(copies)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, "
          f"pyoxigraph {ox.__version__}; {copies} copies of each contract, {triples} triples")
    print(f"{'query':40} {'as written':>11} {'NOT EXISTS':>11}  rows  same")
    for name, q in sorted(named_queries().items()):
        if q.purpose != "gaps":
            continue
        other = not_exists_form(q.text)
        t1, r1 = timed(store, q.text)
        if other == q.text:
            print(f"{name:40} {t1:10.3f}s {'-':>11} {len(r1):5}  (no negation)")
            continue
        t2, r2 = timed_with_limit(copies, other, limit)
        if t2 is None:
            print(f"{name:40} {t1:10.3f}s {'>' + str(limit) + 's':>11} {len(r1):5}  (gave up)")
        else:
            print(f"{name:40} {t1:10.3f}s {t2:10.3f}s {len(r1):5}  {'yes' if r1 == r2 else 'NO'}")


if __name__ == "__main__":
    main()
