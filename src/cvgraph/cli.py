"""The `cvgraph` command line: argument parsing and output formatting only."""

from __future__ import annotations

import sys
from collections import Counter
from itertools import groupby
from pathlib import Path

import click

from .errors import CvgraphError, UsageError, did_you_mean
from .gaps import HEADER as GAP_HEADER
from .gaps import categories as gap_categories
from .gaps import find_gaps, gap_counts, gap_report
from .graph import load_store
from .output import Link, json_text, md_table, table_text, write_file_atomically
from .query import named_queries, parse_params, resolve, run_embedded, run_endpoint, run_select
from .sources import LineLinks, sources_folder
from .store import catalogue
from .tables import BINARY, Table, excel_option, format_option, render, sorted_labels, xlsx
from .validate import CVS, SEVERITY_FR, validate_input, with_citations
from .vocab import CV, DCTERMS, DEFAULT_BASE, RDF, french_text

out_option = click.option("--out", "out_path", type=click.Path(path_type=Path),
                          help="Write to this file (needed for xlsx); written whole or not at all.")
graph_option = click.option("--graph", "graph_path", type=click.Path(path_type=Path),
                            help="A build folder or an RDF file (default: the last build).")
sources_option = click.option("--sources", "sources_dir", type=click.Path(path_type=Path), envvar="CVGRAPH_SOURCES",
                              help="The folder of the source texts named in documents.yaml (also set by "
                                   "CVGRAPH_SOURCES); a text whose SHA-256 differs is refused.")


class CvgraphGroup(click.Group):
    """Turns every CvgraphError into a one-line message and its exit code, in one place."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CvgraphError as err:
            click.echo(f"cvgraph: error: {err}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=CvgraphGroup)
@click.version_option(package_name="cvgraph")
def main():
    """cvgraph: French contrats de ville as a linked-data knowledge graph."""


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Source folder (default: the embedded data/).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Build folder (default: build/graph in a checkout).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the resources.")
@click.option("--full", is_flag=True, help="Compile every sheet again, not only those changed since the last build.")
def build(data_dir, out_dir, base, full):
    """Compile ontology and data into the build's store, one named graph per contract.

    Only the sheets changed since the previous build are compiled again (all of them after a change
    of a registry, the ontology or cvgraph). Whole-graph dumps: `cvgraph export`.

    Example: cvgraph build --data data --out build/graph
    """
    from . import build as build_mod   # here: the compiler is loaded by the command that compiles

    summary = build_mod.build(data_dir, out_dir, base=base, incremental=not full)
    click.echo("\n".join(summary.lines()))


@main.command()
@graph_option
@click.option("--format", "fmt", type=click.Choice(["all", "nt", "ttl", "jsonld", "nq"]), default="all", show_default=True,
              help="all: graph.ttl, graph.nt and graph.jsonld; nq keeps each triple's named graph.")
@click.option("--out", "out_path", type=click.Path(path_type=Path),
              help="The file to write (a folder with --format all; default: the build folder).")
@click.option("--contract", "contracts", multiple=True, help="Only these contracts' graphs and the shared graph.")
def export(graph_path, fmt, out_path, contracts):
    """Dump the built graph as one RDF file per format, sorted, so the same graph gives the same bytes.

    Example: cvgraph export --format ttl --out contrats.ttl
    """
    from .export import EXPORTS, export as export_graph
    from ._paths import default_build_dir

    if out_path is None and graph_path and not Path(graph_path).is_dir():
        raise UsageError(f"{graph_path}: not a build folder; say where to write with --out")
    view = load_store(graph_path, list(contracts))
    formats = [f for f in EXPORTS if f != "nq"] if fmt == "all" else [fmt]
    folder = Path(graph_path) if graph_path else default_build_dir()
    if out_path is not None and fmt == "all":
        folder, out_path = Path(out_path), None
        folder.mkdir(parents=True, exist_ok=True)
    for f in formats:
        target = out_path or folder / f"graph{EXPORTS[f]}"
        n = export_graph(view, target, f)
        click.echo(f"written {target} ({n} triples)")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", "shapes_path", type=click.Path(path_type=Path),
              help="A shapes file or folder (default: the embedded shapes/).")
@format_option("validate")
@out_option
@excel_option
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "shacl-rust"]), envvar="CVGRAPH_VALIDATOR",
              default="auto", show_default=True,
              help="pySHACL (the reference) or shacl-rust (fast); auto picks shacl-rust above 200,000 triples. "
                   "Also set by CVGRAPH_VALIDATOR.")
@sources_option
@click.option("--data", "data_dir", type=click.Path(path_type=Path),
              help="With --sources: the data folder whose citations are checked (default: the embedded data/).")
@graph_option
@click.option("--contract", help="Only this contract: the shapes run on its graph and the shared graph; its "
                                 "findings are kept in the build folder for the next call.")
def validate(files, shapes_path, fmt, out_path, excel, engine, sources_dir, data_dir, graph_path, contract):
    """Validate the built graph (or the RDF FILES given) against the SHACL shapes.

    The report is grouped by contract, then orientation, then shape; each finding names the source
    document, section and line it comes from. With --sources, the citations of the data are
    checked too: every cited line exists in its text, every `written` quote is at its line
    (± 2 lines). Exit 1 on violations, 0 when there are only warnings, 2 on unusable input.

    \b
    Examples:
      cvgraph validate --format csv > findings.csv
      cvgraph validate --sources ../textes
    """
    needs_out(fmt, out_path)
    if contract is not None:
        if files:
            raise UsageError("--contract reads a build (--graph), not RDF files")
        from .validate import validate_contract
        report, used = validate_contract(load_store(graph_path, [contract]), contract, shapes_path, engine)
    else:
        report, used = validate_input(list(files) + ([graph_path] if graph_path else []), shapes_path, engine)
    sources = sources_folder(sources_dir)
    if sources is not None:
        for file in with_citations(report, data_dir, sources):
            click.echo(f"cvgraph: {file}: not in {sources.root}; its citations are not checked", err=True)
    data = report.context
    if fmt == "ttl":
        emit(report.graph.serialize(format="turtle"), out_path)
    elif fmt == "json":
        emit(json_text({"conforms": report.conforms, "violations": report.count("Violation"),
                        "warnings": report.count("Warning"),
                        "findings": [f.as_dict() for f in report.findings]}), out_path)
    elif fmt == "text":
        emit("\n".join(validation_text(report, data)) + "\n", out_path)
    else:
        header = ("severity", "contract", "orientation", "shape", "focus", "subject", "path", "value",
                  "message", "message_en", "source")
        rows = [[getattr(f, h) if h != "source" else f.source for h in header] for f in report.findings]
        if fmt != "csv":   # for people: the severity in French, the shape's short name
            rows = [[SEVERITY_FR.get(r[0], r[0]), *r[1:3], compact(r[3]), *r[4:]] for r in rows]
        title = f"Validation : {report.count('Violation')} violation(s), {report.count('Warning')} avertissement(s)"
        emit(render(Table(header, rows, title=title if fmt != "xlsx" else "Validation"), fmt, excel), out_path)
    sys.exit(0 if report.conforms else 1)


def validation_text(report, data) -> list[str]:
    """The grouped text report: contract, orientation, shape, then each finding and its source."""
    titles = contract_titles(data)
    out = [f"Validation : {report.count('Violation')} violation(s), {report.count('Warning')} "
           f"avertissement(s), {report.count('Info')} information(s)."]
    for contract, in_contract in groupby(report.findings, key=lambda f: f.contract):
        out.append("")
        out.append(f"== Contrat {contract} – {titles.get(contract, '')}" if contract
                   else "== Hors contrat (registres : organisations, instruments, documents, conventions)")
        for orientation, in_orient in groupby(in_contract, key=lambda f: f.orientation):
            out.append(f"  -- Orientation {orientation}" if orientation else "  -- Contrat et signataires"
                       if contract else "  --")
            for shape, found in groupby(in_orient, key=lambda f: f.shape):
                found = list(found)
                out.append(f"     {compact(shape)} ({len(found)})")
                for f in found:
                    what = f" – {f.subject}" if f.subject and f.subject not in f.message else ""
                    out.append(f"       [{SEVERITY_FR.get(f.severity, f.severity)}] {f.message}{what}"
                               f" ({f.source or f.focus})")
    return out


def contract_titles(data) -> dict[str, str]:
    out = {}
    for c in data.subjects(RDF.type, CV.Contract):
        ident = data.value(c, DCTERMS.identifier)
        if ident is not None:
            out[str(ident)] = french_text(data, c, DCTERMS.title) or ""
    return out


def compact(iri: str) -> str:
    return iri.replace(str(CVS), "cvs:")


@main.command()
@graph_option
@click.option("--contract", help="Only this contract (its id, e.g. coutras-2024-2030).")
@format_option("gaps")
@out_option
@excel_option
@click.option("--category", "only", multiple=True, metavar="ID",
              help="Only this category (repeat for several), e.g. orientation-without-pilot.")
@click.option("--severity", type=click.Choice(["violation", "warning", "info"]),
              help="Only the gaps of this severity.")
@sources_option
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "shacl-rust"]), envvar="CVGRAPH_VALIDATOR",
              default="auto", show_default=True,
              help="The SHACL engine for the categories only a completeness shape finds, as for validate. "
                   "Also set by CVGRAPH_VALIDATOR.")
def gaps(graph_path, contract, fmt, out_path, excel, only, severity, sources_dir, engine):
    """The gap report: what each contract leaves out, one row per gap.

    Categories are the gap queries of queries/gaps/ plus the completeness shapes; the reports for
    reading (text, md, html) start with the number of gaps of each category, and list the figures
    without period or source per orientation. CSV, TSV and xlsx have one row per gap; CSV columns:
    contract,gap,orientation,subject,detail,source. With --sources, the md and html reports link
    each source to its line on the site `cvgraph publish --sources` writes.

    \b
    Examples:
      cvgraph gaps --contract coutras-2024-2030 --format csv --excel > manques.csv
      cvgraph gaps --format xlsx --out manques.xlsx
      cvgraph gaps --severity warning --category orientation-without-pilot
    """
    needs_out(fmt, out_path)
    cats = gap_categories()
    for cid in only:
        if cid not in cats:
            raise UsageError(f"--category: unknown category {cid!r}{did_you_mean(cid, cats)}; "
                             "see `cvgraph gaps --format json` or the README for the list")
    store = load_store(graph_path, [contract])   # one contract: its graph and the shared graph only
    found = [g for g in find_gaps(graph_path, contract, store=store, engine=engine)
             if (not only or g.gap in only) and (severity is None or cats[g.gap].severity.lower() == severity)]
    links = LineLinks(store, sources_folder(sources_dir)) if fmt in ("md", "html", "xlsx") else None
    title = f"Manques du contrat {contract}" if contract else "Manques des contrats"
    if fmt == "json":
        emit(json_text([{**g.as_dict(), "title": cats[g.gap].title, "severity": cats[g.gap].severity}
                        for g in found]), out_path)
    elif fmt in ("csv", "tsv", "xlsx"):
        table = Table(GAP_HEADER, [[getattr(g, h) for h in GAP_HEADER] for g in found], title="Manques")
        if fmt == "xlsx":
            table.rows = [row[:-1] + [Link(g.source, links.url(g.file, g.line) if links else None)]
                          for row, g in zip(table.rows, found)]
            emit(xlsx([table, Table(("gap", "title", "severity", "count"), gap_counts(found, cats),
                                    title="Nombre par catégorie",
                                    headers=("Catégorie", "Intitulé", "Gravité", "Nombre"))]), out_path)
        else:
            emit(render(table, fmt, excel), out_path)
    else:
        emit(gap_report(found, cats, fmt, title, links), out_path)


@main.command()
@graph_option
@click.option("--contract", help="Only this contract (its id); every contract when omitted.")
@format_option("summary")
def summary(graph_path, contract, fmt):
    """Each contract in a few lines: its title, period, pilot and territory, who funds what (the
    top-level funders with their funding lines, orientations and instruments) and its number of
    gaps in each category.

    \b
    Examples:
      cvgraph summary
      cvgraph summary --contract coutras-2024-2030 --format md > synthese.md
    """
    store = load_store(graph_path, [contract])
    catalogue(store).check(contract)
    _, contracts = run_select(store, "contracts")
    _, rows = run_select(store, "who-funds-what", **({"contract": contract} if contract else {}))
    found = find_gaps(graph_path, contract, store=store)
    cats = gap_categories()
    out = []
    for c in contracts:
        cid, title, generation, period, pilot, territory, n_orient, n_sign = c
        if contract and cid != contract:
            continue
        mine = [r for r in rows if r[0] == cid]
        funders = []
        for label in sorted_labels({r[4] for r in mine}):
            lines = [r for r in mine if r[4] == label]
            orients = sorted({int(r[1]) for r in lines})
            funders.append({"funder": label, "funding_lines": len(lines),
                            "orientations": orients, "instruments": len({r[5] for r in lines if r[5]})})
        funders.sort(key=lambda f: -f["funding_lines"])   # stable: equal counts stay in alphabetical order
        counts = [[gid, cats[gid].title, n] for gid, n in
                  sorted(Counter(g.gap for g in found if g.contract == cid).items(), key=lambda kv: (-kv[1], kv[0]))]
        out.append({"contract": cid, "title": title, "generation": generation, "period": period, "pilot": pilot,
                    "territory": territory, "orientations": int(n_orient), "signatories": int(n_sign),
                    "funders": funders, "gaps": [{"gap": g, "title": t, "count": n} for g, t, n in counts]})
    if fmt == "json":
        click.echo(json_text(out), nl=False)
        return
    text = []
    for c in out:
        md = fmt == "md"
        text.append(f"{'## ' if md else '== '}{c['contract']} – {c['title']}")
        text.append("")
        facts = [("Génération", c["generation"]), ("Période", c["period"]), ("Pilote", c["pilot"]),
                 ("Territoire", c["territory"]), ("Orientations", c["orientations"]), ("Signataires", c["signatories"])]
        text += [f"{'- ' if md else '  '}{k} : {v}" for k, v in facts if v not in ("", None)]
        text.append("")
        header = ("Financeur (organisation de tête)", "Lignes", "Orientations", "Instruments")
        body = [(f["funder"], f["funding_lines"], ", ".join(f"O{n}" for n in f["orientations"]), f["instruments"])
                for f in c["funders"]]
        text.append("Qui finance quoi :" if body else "Qui finance quoi : aucune ligne de financement.")
        if body:
            text.append(md_table(header, body) if md else table_text(header, body).rstrip("\n"))
        total = sum(g["count"] for g in c["gaps"])
        text.append("")
        text.append(f"Manques ({total}, voir `cvgraph gaps --contract {c['contract']}`) :" if total else "Manques : aucun.")
        if total:
            body = [(g["title"], g["gap"], g["count"]) for g in c["gaps"]]
            header = ("Catégorie", "Identifiant", "Nombre")
            text.append(md_table(header, body) if md else table_text(header, body).rstrip("\n"))
        text.append("")
    click.echo("\n".join(text), nl=False)


@main.command()
@click.argument("query", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the query (repeat for several); see --list.")
@format_option("query")
@out_option
@excel_option
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for the endpoint.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries, their titles and parameters.")
@graph_option
@sources_option
def query(query, params, fmt, out_path, excel, endpoint, timeout, list_queries, graph_path, sources_dir):
    """Run a named query of the library, or a .rq file, on the graph or on an endpoint.

    Parameters are bound by the SPARQL engine (never pasted into the text), so a value is always
    one RDF literal. Exit 2 on an unknown query or parameter, a syntax error (with its line and
    column) or an endpoint that does not answer.

    \b
    Examples:
      cvgraph query --list
      cvgraph query who-funds-what --format csv > financeurs.csv
      cvgraph query funder-profile --param funder=etat --format md
      cvgraph query mine.rq --endpoint http://127.0.0.1:7878/query
    """
    if list_queries:
        click.echo(query_list(), nl=False)
        return
    if not query:
        raise UsageError("give a query name or a .rq file (see `cvgraph query --list`)")
    needs_out(fmt, out_path)
    nq = resolve(query)
    values = parse_params(params)
    links = None
    if endpoint:
        result = run_endpoint(endpoint, nq, values, timeout=timeout)
    else:
        contracts = [values[p.name] for p in nq.params if p.kind == "contract" and p.name in values]
        store = load_store(graph_path, contracts)   # given contracts: their graphs only, on disk
        result = run_embedded(store, nq, values)
        if "# adds: gaps" in nq.text and result.form == "SELECT":
            add_gap_counts(result, graph_path, store)
        if fmt in ("md", "html", "xlsx") and {"file", "line"} <= set(result.variables):
            links = LineLinks(store, sources_folder(sources_dir))
    emit(format_result(result, fmt, links, excel, title=nq.title), out_path)


def add_gap_counts(result, graph_path, store) -> None:
    """A `gaps` column: the number of rows of `cvgraph gaps` of each row's contract and orientation
    (for the queries whose header says `# adds: gaps`; their rows have `contract` and `number`)."""
    ci, ni = result.variables.index("contract"), result.variables.index("number")
    counts: Counter = Counter()
    for contract in sorted({row[ci] for row in result.rows}):
        counts.update((g.contract, g.orientation) for g in find_gaps(graph_path, contract, store=store))
    result.variables.append("gaps")
    for row in result.rows:
        row.append(str(counts[(row[ci], row[ni])]))


def query_list() -> str:
    lines = []
    for purpose, group in groupby(sorted(named_queries().values(), key=lambda q: (q.purpose, q.name)),
                                  key=lambda q: q.purpose):
        lines.append(f"{purpose}/")
        for q in group:
            lines.append(f"  {q.name:38} {q.title}")
            for p in q.params:
                kind = ", ".join(([p.kind] if p.kind != "string" else []) + (["optional"] if p.optional else []))
                lines.append(f"  {'':38}   --param {p.name}=…{f' ({kind})' if kind else ''} {p.description}")
    return "\n".join(lines) + "\n"


def format_result(result, fmt: str, links=None, excel: bool = False, title: str = "") -> str | bytes:
    """The result in a format; with `links` (a LineLinks), Markdown, HTML and xlsx link each row's
    `line` to the source text's line (the row's `file`)."""
    if result.form == "ASK":
        return json_text({"boolean": result.boolean}) if fmt == "json" else f"{str(result.boolean).lower()}\n"
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        import pyoxigraph as ox
        triples = list(ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE).decode("utf-8")
    rows = result.rows
    if links is not None:
        fi, li = result.variables.index("file"), result.variables.index("line")
        rows = [[Link(v, links.url(row[fi], row[li])) if i == li else v for i, v in enumerate(row)]
                for row in rows]
    return render(Table(result.variables, rows, title=title or "Résultat"), fmt, excel)


@main.command()
@graph_option
@click.option("--contract", help="The contract (its id); every contract with orientations when omitted.")
@click.option("--level", type=click.Choice(["organisation", "unit"]), default="organisation", show_default=True,
              help="organisation rolls services up to their organisation (the DDETS into the State); unit keeps them apart.")
@format_option("matrix")
@out_option
@excel_option
def matrix(graph_path, contract, level, fmt, out_path, excel):
    """The partner-responsibility matrix: partners × orientations, each cell the partner's roles.

    Roles: pilot, service (service associé), funder-dc (droit commun), funder-sp (crédits
    spécifiques), funder (kind not stated). CSV columns: partner,partner_label,signatory,O1,O2,…
    (one contract per CSV); the xlsx has one sheet per contract and a legend sheet; the html is one
    standalone page.

    \b
    Examples:
      cvgraph matrix --contract coutras-2024-2030 --format csv > matrice.csv
      cvgraph matrix --format xlsx --out matrice.xlsx
    """
    from . import matrix as mx

    needs_out(fmt, out_path)
    store = load_store(graph_path, [contract])
    if fmt in ("csv", "tsv") and not contract:
        candidates = [c for c in mx.contracts_with_titles(store) if mx.orientations_of(store, c)]
        if len(candidates) != 1:
            raise UsageError("a CSV matrix holds one contract: give --contract "
                             f"(one of: {', '.join(candidates) or 'none'})")
        contract = candidates[0]
    ms = mx.matrices(store, contract, level)
    if fmt == "xlsx":
        emit(mx.to_xlsx(ms), out_path)
    elif fmt in ("csv", "tsv"):
        emit(render(Table(ms[0].header, ms[0].csv_rows()), fmt, excel), out_path)
    else:
        emit(mx.to_md(ms) if fmt == "md" else mx.to_html(ms), out_path)


@main.command()
@graph_option
@click.option("--contract", help="Only this contract (its id); every contract when omitted.")
@format_option("network")
@out_option
def network(graph_path, contract, fmt, out_path):
    """The partner co-engagement network: partners linked when they share an orientation.

    Edges are weighted by the number of orientations shared; each node carries its strength,
    degree, betweenness and eigenvector centralities and its community (greedy modularity).
    GraphML and GEXF open in Gephi, Cytoscape and yEd.

    \b
    Examples:
      cvgraph network --contract coutras-2024-2030
      cvgraph network --format gexf --out partenaires.gexf
      cvgraph network --format png --out partenaires.png
    """
    from . import network as nw

    needs_out(fmt, out_path)
    g = nw.co_engagement(load_store(graph_path, [contract]), contract)
    if fmt == "text":
        emit(nw.text_report(g).encode("utf-8"), out_path)
        return
    emit(nw.export(g, fmt), out_path)
    if out_path:
        click.echo(f"{out_path}: {g.number_of_nodes()} partners, {g.number_of_edges()} links", err=True)


@main.command()
@graph_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="The site folder to write.")
@click.option("--base-uri", help="Base IRI the site is hosted at (default: the graph's own, https://w3id.org/cvgraph/id/).")
@click.option("--publisher", help="Publisher named in the DCAT description (default: data/release.yaml's, else cvgraph).")
@click.option("--sparql-endpoint", metavar="URL",
              help="The SPARQL endpoint that serves this data, described as a DCAT data service (none by default).")
@click.option("--hosted-at", metavar="URL",
              help="Where the folder is served, when the IRIs are elsewhere (w3id.org): deploy/w3id.htaccess sends them there.")
@click.option("--force", is_flag=True, help="Replace a folder that is not empty.")
@sources_option
def publish(graph_path, out_dir, base_uri, publisher, sparql_endpoint, hosted_at, force, sources_dir):
    """Publish the graph as a static linked-data site: one HTML page and Turtle, JSON-LD and
    N-Triples twins per resource, index pages, dumps, the ontology and its documentation, a
    VoID/DCAT-AP 3.0.1 description (licence etalab-2.0, dates from data/release.yaml), the query page and nginx/Apache snippets for
    content negotiation. With --sources, each source text whose rights allow it gets a page with an
    anchor per line (redactions applied), and every resource's provenance links to its line.

    \b
    Example:
      cvgraph publish --out site --base-uri https://data.example.org/cvgraph/
      cvgraph publish --out site --sources ../textes
    """
    from .publish import publish as run_publish

    summary = run_publish(out_dir, graph_path, base_uri, force=force, publisher=publisher,
                          sources=sources_folder(sources_dir), sparql_endpoint=sparql_endpoint, hosted_at=hosted_at)
    click.echo("\n".join(summary.lines()))


@main.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--site", "site_dir", type=click.Path(path_type=Path),
              help="A folder written by `cvgraph publish` (default: publish the build now, for this host and port).")
@click.option("--base-uri", help="Base IRI of the resources when publishing now (default: http://HOST:PORT/).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a SPARQL query may run.")
@click.option("--max-results", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows (or triples) a SPARQL answer may hold; more are cut.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes.")
@click.option("--cache-mb", type=click.IntRange(0, 65536), default=64, show_default=True,
              help="Memory for the last SPARQL answers (the graph does not change while served); 0: none.")
@sources_option
def serve(graph_path, host, port, site_dir, base_uri, time_limit, max_results, workers, cache_mb, sources_dir):
    """Serve the site with content negotiation on resource URIs and a read-only SPARQL 1.1
    endpoint at /sparql (query page at /query.html).

    \b
    Example:
      cvgraph serve --port 8000
      curl -H 'Accept: text/turtle' http://127.0.0.1:8000/contract/coutras-2024-2030
    """
    from .serve import serve as run_serve

    run_serve(graph_path, host, port, site_dir, base_uri, time_limit, max_results, workers, cache_mb,
              sources_folder(sources_dir))


@main.command()
@click.option("--input", "graph_path", type=click.Path(path_type=Path),
              help="A build folder or an RDF file (default: the last build).")
@click.option("--endpoint", required=True, metavar="URL", help="The Graph Store Protocol endpoint (e.g. http://127.0.0.1:7878/store).")
@click.option("--graph", "graph_prefix", metavar="IRI",
              help="Prefix of the named graphs: <IRI>contract/<id> and <IRI>shared (default: <base>graph/).")
@click.option("--update", metavar="URL",
              help="The SPARQL Update endpoint that switches the graphs in one transaction "
                   "(default: beside --endpoint for Oxigraph's /store and Fuseki's /data).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True)
def push(graph_path, endpoint, graph_prefix, update, timeout):
    """Load the built graph into a Graph Store Protocol server: one named graph per contract and one
    for what they share, each replaced whole. Every part is staged first and all are switched by
    one SPARQL Update, so a failed or interrupted push leaves the old graphs as they were.

    \b
    Example:
      cvgraph push --endpoint http://127.0.0.1:7878/store
    """
    from .push import push as run_push

    for iri, count in run_push(endpoint, graph_path, graph_prefix, timeout, update):
        click.echo(f"{iri}: {count} triples")


@main.command()
@click.argument("text_file", type=click.Path(path_type=Path))
@click.option("--contract", help="Identifier of the contract, e.g. coutras-2024-2030 (needed to write a draft).")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="The draft sheet (default: ./<contract>.yaml).")
@click.option("--force", is_flag=True, help="Replace an existing sheet.")
@click.option("--document", help="Id of the text in data/documents.yaml (default: found by file name).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder whose registries resolve names.")
@click.option("--compare", "compare_with", type=click.Path(path_type=Path),
              help="Score a draft sheet (TEXT_FILE, or the draft just written) against this curated sheet.")
@click.option("--max-pages", type=click.IntRange(min=1), default=500, show_default=True,
              help="Refuse a PDF with more pages than this.")
@click.option("--into", "into_dir", type=click.Path(path_type=Path),
              help="A data folder: write the draft as DATA/contracts/ID.yaml, the text into DATA/sources/ and "
                   "register the document, ready for `cvgraph build --data DATA`.")
@click.option("--amends", help="The text is an amendment (avenant) of this contract (its id): the draft is a "
                               "revision of that contract, adding to its orientations, not a new contract.")
def ingest(text_file, contract, out_path, force, document, data_dir, compare_with, max_pages, into_dir, amends):
    """Turn the plain text (or the PDF) of a contract into a draft source sheet that `cvgraph build` accepts.

    Prints what it found (counts per section) and the names the registries do not resolve. With
    --compare SHEET: precision and recall of orientations, pilots, services and funding lines of
    the draft against a curated sheet.

    \b
    Examples:
      cvgraph ingest contrat.txt --contract lyon-2024-2030 --out data/contracts/lyon-2024-2030.yaml
      cvgraph ingest "$CVGRAPH_SOURCES/002_ac9efd2afd3fa111.txt" --contract coutras-2024-2030 \\
          --out /tmp/draft.yaml --compare data/contracts/coutras-2024-2030.yaml
      cvgraph ingest avenant-1.pdf --contract lyon-2024-2030-avenant-1 --amends lyon-2024-2030 --into data
    """
    from . import ingest as ing

    if text_file.suffix in (".yaml", ".yml") and compare_with:
        draft = text_file
    else:
        if not contract:
            raise UsageError("--contract ID is needed to write a draft sheet")
        if into_dir and out_path:
            raise UsageError("give --into DATA or --out FILE, not both")
        if into_dir:
            draft, found, sheet = ing.ingest_into(text_file, contract, into_dir, document=document,
                                                  max_pages=max_pages, amends=amends)
        else:
            draft, found, sheet = ing.ingest(text_file, contract, out_path, force=force, data_dir=data_dir,
                                             document=document, max_pages=max_pages, amends=amends)
        click.echo(f"{draft}: draft sheet written")
        if "source_pdf" in sheet:
            pdf = sheet["source_pdf"]
            kept = (into_dir / "sources" / f"{sheet['document']}.txt") if into_dir else draft.with_suffix(".txt")
            click.echo(f"  {pdf['pages']} PDF pages read ({pdf['extracted_by']}); text: {kept}")
        for key, n in found.counts.items():
            click.echo(f"  {key:16} {n}")
        for line in found.unreadable:
            click.echo(f"  not read: {line}")
        for n in found.near:
            click.echo(f"  near match: {n['written']!r} read as {n['registered']!r}")
        levels = {"low": "low-confidence", "medium": "medium-confidence", "section": "unclear"}
        click.echo(f"  to check ({len(found.review)}: "
                   + ", ".join(f"{sum(r['level'] == k for r in found.review)} {v}" for k, v in levels.items()) + "):")
        for r in found.review:
            at = ", ".join(x for x in (f"p. {r['page']}" if r.get("page") else "", f"l. {r['line']}" if r.get("line") else "") if x)
            click.echo(f"    [{levels[r['level']]}] {at + ' ' if at else ''}{r['where']} {r['what']}: {r['why']}")
        click.echo(f"  unresolved names ({len(found.unresolved)}):")
        for u in found.unresolved:
            where = f"O{u['orientation']} " if "orientation" in u else ""
            click.echo(f"    l. {u['line']} {where}{u['kind']}: {u['name']}")
    if compare_with:
        scores = ing.compare(draft, compare_with, data_dir)
        click.echo(f"compared with {compare_with}:")
        click.echo(f"  {'':16} {'precision':>9} {'recall':>7} {'matched':>8} {'draft':>6} {'curated':>8}")
        for key, s in scores.items():
            click.echo(f"  {key:16} {s['precision']:9.3f} {s['recall']:7.3f} {s['matched']:8} {s['draft']:6} {s['curated']:8}")


def emit(data: bytes | str, out_path: Path | None) -> None:
    """Write to the file (atomically) or to standard output (a binary format only to a file)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if out_path:
        write_file_atomically(out_path, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def needs_out(fmt: str, out_path: Path | None) -> None:
    """A binary format is written to a file: refused before any work when --out is missing."""
    if fmt in BINARY and out_path is None:
        raise UsageError(f"--format {fmt} needs --out FILE.{fmt}")


if __name__ == "__main__":  # pragma: no cover
    main()
