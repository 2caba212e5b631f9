"""Load a build into pyoxigraph and time every named query (median of 3) and one contract's matrix.

    python bench/queries_at_scale.py BUILD_FOLDER [CONTRACT_ID]

Used for the 500-contract figures of the session-3 note (bench/results-500-queries.json).
"""
import sys
import time, statistics, resource, json
from pathlib import Path
from cvgraph.graph import load_store
CONTRACT = sys.argv[2] if len(sys.argv) > 2 else "synth-0001"
from cvgraph.query import named_queries, run_embedded
t = time.time(); s = load_store(Path(sys.argv[1])); load = time.time() - t
P = {"funder-profile": {"funder": "etat", "contract": CONTRACT}, "orientation-sheet": {"contract": CONTRACT, "orientation": "1"}, "contract-diff": {"from": CONTRACT, "to": CONTRACT}}
out = {"triples": len(s), "load": round(load, 2), "queries": {}}
for n, q in sorted(named_queries().items()):
    ts = []
    for _ in range(3):
        t = time.time(); r = run_embedded(s, q, P.get(n, {})); ts.append(time.time() - t)
    out["queries"][n] = [round(statistics.median(ts), 3), len(r.rows)]
from cvgraph.matrix import build_matrix, to_csv
ts = []
for _ in range(3):
    t = time.time(); m = build_matrix(s, CONTRACT); to_csv(m); ts.append(time.time() - t)
out["matrix_one_contract"] = round(statistics.median(ts), 3)
out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out, indent=1))
