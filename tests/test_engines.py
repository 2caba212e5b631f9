"""The fast validator (shacl-rust) against the reference (pySHACL): the same findings on the seed
graph, on every broken fixture of the shapes, and on a generated sample."""

from __future__ import annotations

import pytest

from conftest import run_cli
from cvgraph.validate import load_shapes, validate_fast, validate_graph
from test_shapes import BREAK, fixture

pytest.importorskip("shacl_rust", reason="shacl-rust is a dependency of cvgraph")


def key(report) -> set[tuple]:
    return {(f.severity, f.shape, f.focus, f.path, f.value, f.contract, f.orientation, f.message, f.line)
            for f in report.findings}


def both(g, tmp_path) -> tuple[set, set]:
    data = tmp_path / "data.nt"
    data.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    shapes = load_shapes()
    return key(validate_graph(g, shapes)), key(validate_fast([data], shapes))


@pytest.mark.parametrize("name", sorted(BREAK))
def test_same_findings_on_each_broken_fixture(name, tmp_path):
    reference, fast = both(fixture(BREAK[name]), tmp_path)
    assert reference, name  # the fixture does break something
    assert fast == reference, name


def test_same_findings_on_the_complete_fixture(tmp_path):
    reference, fast = both(fixture(), tmp_path)
    assert fast == reference == set()


def test_same_report_on_the_seed_graph(built):
    py = run_cli("validate", str(built / "graph.nt"), "--engine", "pyshacl", "--format", "csv")
    rust = run_cli("validate", str(built / "graph.nt"), "--engine", "shacl-rust", "--format", "csv")
    assert py.exit_code == rust.exit_code == 0
    assert rust.stdout == py.stdout and len(py.stdout.splitlines()) == 307  # 306 warnings + header


def test_same_findings_on_a_generated_sample(tmp_path):
    from cvgraph.build import build
    from cvgraph.export import export_all
    from cvgraph.graph import load_graph
    from cvgraph.synth import generate

    data = generate(tmp_path / "data", 2, seed=7)
    out = tmp_path / "build"
    build(data, out)
    shapes = load_shapes()
    reference = key(validate_graph(load_graph(out), shapes))
    fast = key(validate_fast([export_all(out)["nt"]], shapes))
    assert reference and fast == reference


def test_gaps_are_the_same_with_either_engine(built):
    from cvgraph.gaps import find_gaps

    reference = find_gaps(built, engine="pyshacl")
    assert len(reference) > 200 and find_gaps(built, engine="shacl-rust") == reference
