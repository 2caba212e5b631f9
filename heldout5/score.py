"""Score `cvgraph ingest` on the held-out text of this folder; prints numbers only.

    python heldout5/score.py [EXTRA INGEST OPTIONS...]

Runs `cvgraph ingest heldout5/contrat.txt --contract heldout5 --out <tmp>/draft.yaml --force
[EXTRA...]` and compares the draft with heldout5/expected.yaml item by item, with the scorer of
heldout/score.py (the same categories, matching and table).
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    # (loading the scorer reads no expected item; `run` keeps any later traceback unseen)
    spec = importlib.util.spec_from_file_location("heldout_score", HERE.parent / "heldout" / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    scorer.run(sys.argv[1:], here=HERE)
