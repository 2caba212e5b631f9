"""`cvgraph build`: compile ontology and data into one graph, written as Turtle, N-Triples, JSON-LD.

The output is deterministic (the same sources give byte-identical files) and atomic: files are
written to a temporary folder beside the target, which replaces the target only once everything is
written, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import Graph, Literal

from ._paths import default_build_dir, resource_dir
from .compile import compile_data
from .errors import SourceError, parse_failure
from .vocab import CV, DEFAULT_BASE, PREFIXES, RDF, french_text

OUTPUTS = {"ttl": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld"}
SUMMARY_FILE = "summary.json"


@dataclass
class BuildSummary:
    triples: int
    contracts: int
    orientations: int
    organisations: int
    instruments: int
    funding_lines: int
    unresolved_names: list[str]
    out_dir: str

    def lines(self) -> list[str]:
        return [
            f"built {self.out_dir}",
            f"  triples        {self.triples}",
            f"  contracts      {self.contracts}",
            f"  orientations   {self.orientations}",
            f"  organisations  {self.organisations}",
            f"  instruments    {self.instruments}",
            f"  funding lines  {self.funding_lines}",
            f"  unresolved names ({len(self.unresolved_names)}): {', '.join(self.unresolved_names)}",
        ]


def check_base(base: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/\S*)?/$", base):
        raise SourceError("the base IRI must be an absolute http(s) IRI ending with '/'",
                          field="base")
    return base


def load_ontology(path: Path | None = None) -> Graph:
    """Parse the ontology; a syntax error names file, line and the parser's message."""
    path = path or resource_dir("ontology") / "cvgraph.ttl"
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise SourceError("ontology file not found", file=path) from None
    except Exception as err:  # rdflib raises several parser exception types
        text, line = parse_failure(err)
        raise SourceError(f"invalid Turtle: {text[:200]}", file=path, line=line) from None
    return g


def compile_graph(data_dir: Path | None = None, *, base: str = DEFAULT_BASE,
                  ontology: Path | None = None) -> Graph:
    """Ontology plus compiled data, as one rdflib Graph."""
    check_base(base)
    data = compile_data(Path(data_dir) if data_dir else resource_dir("data"), base)
    g = load_ontology(ontology)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, replace=True)
    g.bind("id", base)
    for triple in data:
        g.add(triple)
    return g


def summarise(g: Graph, out_dir: Path) -> BuildSummary:
    def count(cls) -> int:
        return len(set(g.subjects(RDF.type, cls)))
    unresolved = sorted(french_label(g, s) for s in g.subjects(CV.unresolved, Literal(True)))
    return BuildSummary(triples=len(g), contracts=count(CV.Contract), orientations=count(CV.Orientation),
                        organisations=count(CV.Organisation), instruments=count(CV.FinancingInstrument),
                        funding_lines=count(CV.FundingLine), unresolved_names=unresolved,
                        out_dir=str(out_dir))


def french_label(g: Graph, s) -> str:
    """The French rdfs:label of `s` (else any label, else its IRI)."""
    return french_text(g, s) or str(s)


def serialise(g: Graph) -> dict[str, bytes]:
    """The three serialisations, each deterministic for the same graph."""
    nt = g.serialize(format="nt", encoding="utf-8")
    nt = b"".join(sorted(line + b"\n" for line in nt.splitlines() if line.strip()))
    ttl = g.serialize(format="turtle", encoding="utf-8")
    context = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    doc = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    doc["@graph"] = sorted((_sorted_node(n) for n in doc.get("@graph", [])), key=lambda n: n.get("@id", ""))
    jsonld = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    return {"ttl": ttl, "nt": nt, "jsonld": jsonld.encode("utf-8")}


def _sorted_node(node):
    """A JSON-LD node whose multi-valued properties are in a stable order."""
    if isinstance(node, dict):
        return {k: _sorted_node(v) for k, v in node.items()}
    if isinstance(node, list):
        return sorted((_sorted_node(v) for v in node), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return node


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write `files` (name → content) as the whole content of `out_dir`, replacing it at once."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    os.chmod(tmp, 0o755)
    try:
        for name, content in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build(data_dir: Path | None = None, out_dir: Path | None = None, *,
          base: str = DEFAULT_BASE) -> BuildSummary:
    """Compile `data_dir` (default: the embedded data) and write the graph to `out_dir`."""
    out_dir = Path(out_dir) if out_dir else default_build_dir()
    g = compile_graph(data_dir, base=base)
    files = {OUTPUTS[k]: v for k, v in serialise(g).items()}
    summary = summarise(g, out_dir)
    meta = asdict(summary)
    meta.pop("out_dir")
    meta["base"] = base
    files[SUMMARY_FILE] = (json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    write_atomically(out_dir, files)
    return summary
