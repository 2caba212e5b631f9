"""Named SPARQL queries (`queries/**/*.rq`) and running them on the embedded store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ._paths import resource_dir
from .errors import UsageError


@dataclass
class NamedQuery:
    name: str
    purpose: str
    title: str
    description: str
    text: str


def named_queries() -> dict[str, NamedQuery]:
    out = {}
    for path in sorted(resource_dir("queries").rglob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {}
        for line in text.splitlines():
            if line.startswith("# ") and ":" in line:
                key, _, value = line[2:].partition(":")
                meta.setdefault(key.strip(), value.strip())
        out[path.stem] = NamedQuery(path.stem, path.parent.name, meta.get("title", path.stem),
                                    meta.get("description", ""), text)
    return out


def run_select(store: ox.Store, name: str) -> tuple[list[str], list[list[str]]]:
    """Run a named SELECT query; returns the variable names and rows of plain strings."""
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"unknown query {name!r}")
    result = store.query(queries[name].text)
    variables = [v.value for v in result.variables]
    rows = [["" if t is None else t.value for t in solution] for solution in result]
    return variables, rows
