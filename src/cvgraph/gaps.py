"""`cvgraph gaps`: what each contract leaves out, for analysts.

Each category is a gap query, `queries/gaps/<id>.rq` (columns contract, orientation, subject,
detail, file, section, line), run on the embedded store; the completeness shapes add the categories
no query covers (orientation without objective, figure without period…), each shape naming its
category with `cvs:gap`. A category with both a query and a shape is reported from the query; the
tests check that both find the same gaps.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .graph import graph_file, load_graph, load_store
from .output import Link, md_table, table_text
from .progress import progress
from .query import named_queries
from .store import catalogue
from .tables import Table, html_page, html_table
from .validate import CVS, SEVERITY_FR, SH, Context, load_shapes, pick_engine, source_text, validate_fast, validate_graph
from .vocab import CV, RDF, french_text

HEADER = ("contract", "gap", "orientation", "subject", "detail", "source")


@dataclass(frozen=True)
class Gap:
    contract: str
    gap: str
    orientation: str
    subject: str
    detail: str
    source: str
    file: str = ""    # the source document's file name and line, for links to the text
    line: str = ""

    def key(self):
        return (self.contract, self.gap, int(self.orientation) if self.orientation.isdigit() else -1,
                self.subject, self.detail, self.source)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    description: str
    query: str | None  # SPARQL text, or None when only a completeness shape finds it
    severity: str = "Warning"   # Violation, Warning or Info: the query's `# severity:`, or the shape's


def categories(shapes: Graph | None = None) -> dict[str, Category]:
    """Every gap category: the gap queries, then the completeness shapes' categories."""
    out = {q.name: Category(q.name, q.title, q.description, q.text, q.severity)
           for q in named_queries().values() if q.purpose == "gaps"}
    shapes = shapes if shapes is not None else load_shapes()
    for shape, gap in sorted(shapes.subject_objects(CVS.gap)):
        gid = str(gap)
        if gid not in out:
            severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
            out[gid] = Category(gid, french_text(shapes, shape) or gid, french_text(shapes, shape, SH.message) or "",
                                None, severity)
    return dict(sorted(out.items()))


def find_gaps(graph_path: Path | str | None = None, contract: str | None = None,
              store: ox.Store | None = None, engine: str = "auto") -> list[Gap]:
    """All gaps of the graph (the last build by default), of one contract if given, sorted.
    `store`, when given, is that graph already loaded. The categories only a completeness shape
    finds run on pySHACL, or on shacl-rust (`engine`, or `auto`: above the size where pySHACL
    takes minutes); both give the same gaps (tests/test_engines.py)."""
    store = store if store is not None else load_store(graph_path, [contract])
    catalogue(store).check(contract)
    shapes = load_shapes()
    cats = categories(shapes)
    if not getattr(store, "hashes", None) or getattr(store, "folder", None) is None:   # a file: nothing kept
        return _find(graph_path, contract, store, engine, shapes, cats)
    # a build: each contract's gaps are kept in its folder, keyed by the hash of the contract's graph,
    # the shared graph, the shapes, the gap queries and cvgraph's version
    from .store import content_key, each_contract, kept_per_contract
    from .validate import shape_files
    inputs = (*(f.read_text(encoding="utf-8") for f in shape_files(None)),
              *(f"{c.id}\n{c.query or ''}" for c in cats.values()))
    ids = [contract] if contract is not None else list(catalogue(store).ids)

    def whole(missing):   # many to compute: the whole graph at once
        every = _find(graph_path, None, store, engine, shapes, cats)
        return {c: [asdict(g) for g in every if g.contract == c] for c in missing}

    def each(missing):
        if contract is not None:   # the one asked for, on the graphs already open
            return [[asdict(g) for g in _find(graph_path, contract, store, engine, shapes, cats)]]
        # a few contracts changed since: each on its own graphs, over the cores
        return each_contract(_one_contract, store.folder, missing, engine, label="gaps: contracts")
    found = kept_per_contract(store, lambda c: ("gaps", c), {c: content_key(store, [c], *inputs) for c in ids},
                              whole, each)
    return sorted((Gap(**g) for c in ids for g in found[c]), key=Gap.key)


def _one_contract(folder, contract, engine):
    store = load_store(folder, [contract])
    return [asdict(g) for g in _find(folder, contract, store, engine, load_shapes(), categories())]


def _find(graph_path, contract, store, engine, shapes, cats) -> list[Gap]:
    gaps = set()
    for cat in progress(list(cats.values()), len(cats), "gaps: categories"):
        if cat.query is None:
            continue
        for row in store.query(cat.query):
            v = {name: ("" if row[name] is None else row[name].value)
                 for name in ("contract", "orientation", "subject", "detail", "file", "section", "line")}
            gaps.add(Gap(v["contract"], cat.id, v["orientation"], v["subject"], v["detail"],
                         source_text(v["file"], v["section"], v["line"]), v["file"], v["line"]))
    only_shapes = {c.id for c in cats.values() if c.query is None}
    if only_shapes:
        sub = _shapes_for(shapes, only_shapes)
        scoped = getattr(store, "graphs", None) is not None   # one contract's graphs: validate those only
        with tempfile.TemporaryDirectory() as tmp:
            data_file = graph_file(graph_path)
            if scoped:
                data_file = Path(tmp) / "scope.nt"
                store.write_ntriples(data_file)
            if pick_engine(engine, len(store)) == "shacl-rust":
                report = validate_fast([data_file], sub, store)
            else:
                report = validate_graph(load_graph(data_file), sub)
        ctx = Context(report.context, sub)
        for f in report.findings:
            if f.gap in only_shapes and f.contract:
                # a figure by its place and value too: two figures of one label on one line stay two gaps
                focus = URIRef(f.focus)
                subject = ctx.figure(focus) if (focus, RDF.type, CV.Observation) in report.context else f.subject
                gaps.add(Gap(f.contract, f.gap, f.orientation, subject, f.message, f.source, f.file,
                             "" if f.line is None else str(f.line)))
    return sorted((g for g in gaps if contract is None or g.contract == contract), key=Gap.key)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _shapes_for(shapes: Graph, gap_ids: set[str]) -> Graph:
    """A copy of the shapes graph in which only the shapes of the given categories still apply:
    the others lose their targets, and their links from the node shapes that hold them."""
    keep = {s for s, g in shapes.subject_objects(CVS.gap) if str(g) in gap_ids}
    holders = {s for s, o in shapes.subject_objects(SH.property) if o in keep}
    out = Graph()
    for s, p, o in shapes:
        if p in _TARGETS and s not in keep and s not in holders:
            continue
        if p == SH.property and s in holders and o not in keep:
            continue
        out.add((s, p, o))
    return out


# --- the report for reading ---------------------------------------------------------------------

GROUPED_PER_ORIENTATION = ("figure-without-period", "figure-without-source")   # many rows: one line per orientation


def gap_counts(found, cats) -> list[list]:
    """(category, title, severity, number of gaps) for each category that has gaps, most first."""
    counts = Counter(g.gap for g in found)
    return [[gid, cats[gid].title, SEVERITY_FR.get(cats[gid].severity, cats[gid].severity), n]
            for gid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def gap_report(found, cats, fmt: str, title: str, links=None, whole_page: bool = True) -> str:
    """The gap report for reading (text, md or html): the counts by category, then per contract and
    category the gaps, the figures without period or source grouped per orientation. In html, the
    body alone when not `whole_page` (the published site wraps it in its own page)."""
    import html as h

    counts = gap_counts(found, cats)
    lines: list[str] = []
    if fmt == "text":
        lines.append(f"{title} : {len(found)} manque(s)")
        if counts:
            lines.append(table_text(("Catégorie", "Intitulé", "Gravité", "Nombre"), counts).rstrip("\n"))
    elif fmt == "md":
        lines.append(f"# {title} ({len(found)})\n")
        lines.append(md_table(("Catégorie", "Intitulé", "Gravité", "Nombre"), counts) if counts else "Aucun manque trouvé.\n")
    else:
        lines.append(f"<p>{len(found)} manque(s).</p>")
        if counts:
            lines.append(html_table(Table(("gap", "title", "severity", "count"), counts,
                                          headers=("Catégorie", "Intitulé", "Gravité", "Nombre"))))
    for cid, total, by_gap in by_contract_and_gap(found):
        if fmt == "text":
            lines.append(f"\n== Contrat {cid} : {total} manque(s)")
        elif fmt == "md":
            lines.append(f"## Contrat {cid} ({total})\n")
        else:
            lines.append(f"<h2>Contrat {h.escape(cid)} ({total})</h2>")
        for gid, rows in by_gap:
            heading = f"{cats[gid].title} ({gid}, {SEVERITY_FR.get(cats[gid].severity, '')}, {len(rows)})"
            if gid in GROUPED_PER_ORIENTATION:
                grouped = [(o or "–", list(rs)) for o, rs in groupby(rows, key=lambda g: g.orientation)]
                body = [("O" + o if o != "–" else "Données du territoire", f"{len(rs)} : " + " ; ".join(
                    g.subject or g.detail for g in rs), rs[0].source) for o, rs in grouped]
                header = ("Orientation", "Données chiffrées", "Source (première)")
            else:
                body = [(g.orientation, f"{g.subject} : {g.detail}" if g.subject else g.detail,
                         Link(g.source, links.url(g.file, g.line)) if links else g.source) for g in rows]
                header = ("Orientation", "Manque", "Source")
            if fmt == "text":
                lines.append(f"  -- {heading}")
                lines += [f"     {'O' + o if o and o[0].isdigit() else o}{' ' if o else ''}{what} ({src})"
                          for o, what, src in body]
            elif fmt == "md":
                lines.append(f"### {heading}\n")
                lines.append(md_table(header, body))
            else:
                lines.append(f"<h3>{h.escape(heading)}</h3>")
                lines.append(html_table(Table(header, [list(b) for b in body], headers=header)))
    if fmt == "html":
        return html_page(title, "\n".join(lines)) if whole_page else "\n".join(lines)
    return "\n".join(lines) + "\n"


def by_contract_and_gap(found):
    """Sorted gaps as (contract, number of gaps, [(gap id, gaps)]), for the grouped reports."""
    for cid, in_contract in groupby(found, key=lambda g: g.contract):
        in_contract = list(in_contract)
        yield cid, len(in_contract), [(gid, list(rows)) for gid, rows in groupby(in_contract, key=lambda g: g.gap)]
