"""The `cvgraph` command line: argument parsing and output formatting only."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from . import build as build_mod
from .errors import CvgraphError
from .graph import load_graph, load_store
from .query import run_select
from .validate import validate_graph
from .vocab import DEFAULT_BASE

graph_option = click.option("--graph", "graph_path", type=click.Path(path_type=Path),
                            help="A build folder or an RDF file (default: the last build).")


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
def build(data_dir, out_dir, base):
    """Compile ontology and data into Turtle, N-Triples and JSON-LD.

    Example: cvgraph build --data data --out build/graph
    """
    summary = build_mod.build(data_dir, out_dir, base=base)
    click.echo("\n".join(summary.lines()))


@main.command()
@graph_option
def validate(graph_path):
    """Validate the graph against the SHACL shapes; exit 1 on violations.

    Example: cvgraph validate --graph build/graph
    """
    findings = validate_graph(load_graph(graph_path))
    counts = Counter(f.severity for f in findings)
    for f in findings:
        click.echo(f"{f.severity:9} {f.focus} {f.path} {f.message}")
    click.echo(f"validation: {counts.get('Violation', 0)} violation(s), {counts.get('Warning', 0)} warning(s)")
    sys.exit(1 if counts.get("Violation") else 0)


@main.command()
@graph_option
def summary(graph_path):
    """Print who funds what and the main gaps, per contract.

    Example: cvgraph summary
    """
    store = load_store(graph_path)
    _, rows = run_select(store, "who-funds-what")
    _, bare = run_select(store, "funders-without-instrument")
    _, no_service = run_select(store, "orientations-without-services")
    for contract in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == contract]
        click.echo(f"\n== {contract}: {len({r[1] for r in mine})} orientations with funding lines")
        funders = Counter(r[4] for r in mine)
        click.echo("Who funds what (top-level funder: lines, orientations, instruments):")
        for label, n in sorted(funders.items(), key=lambda kv: (-kv[1], kv[0])):
            orients = sorted({int(r[1]) for r in mine if r[4] == label})
            instruments = len({r[5] for r in mine if r[4] == label and r[5]})
            click.echo(f"  {label[:48]:48} {n:4}  O{','.join(map(str, orients))}  {instruments} instrument(s)")
        gaps = [r for r in bare if r[0] == contract]
        click.echo(f"Gaps: {len(gaps)} funder line(s) without an instrument; orientations with no associated service: "
                   + (", ".join(r[1] for r in no_service if r[0] == contract) or "none"))


if __name__ == "__main__":  # pragma: no cover
    main()
