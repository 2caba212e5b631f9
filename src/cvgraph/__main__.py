"""`python -m cvgraph …`, the same as the `cvgraph` command (for a checkout run without installing
its entry point, and for scripts such as the held-out scorers)."""

from cvgraph.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
