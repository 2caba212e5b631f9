"""`cvgraph push` into a real Graph Store Protocol server (the Oxigraph server from PyPI) on
127.0.0.1, then `cvgraph query --endpoint` on what was pushed."""

from __future__ import annotations

import pytest

from conftest import run_cli
from cvgraph.query import NamedQuery, run_endpoint
from servers import free_port, oxigraph_server
from test_query import one_line_error


@pytest.fixture
def oxigraph(tmp_path):
    # --union-default-graph: queries without GRAPH see every named graph, as cvgraph's queries expect
    with oxigraph_server(tmp_path / "db", "--union-default-graph") as base:
        yield base


GRAPHS = NamedQuery("graphs", "", "graphs", "",
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")


def test_push_one_graph_per_contract_then_query(oxigraph, built):
    result = run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store")
    assert result.exit_code == 0, result.output
    graphs = {g: int(n) for g, n in run_endpoint(oxigraph + "/query", GRAPHS).rows}
    prefix = "https://w3id.org/cvgraph/id/graph/"
    assert set(graphs) == {prefix + "shared"} | {prefix + f"contract/{c}" for c in (
        "contrat-003-2015", "coutras-2015-2023", "coutras-2024-2030", "valenciennes-2015-2022")}
    assert sum(graphs.values()) == 11820  # every triple of the build, each in one graph
    args = ("query", "who-funds-what", "--format", "csv")
    remote = run_cli(*args, "--endpoint", oxigraph + "/query")
    assert remote.exit_code == 0 and remote.stdout == run_cli(*args, "--graph", str(built)).stdout
    # pushing again replaces each graph whole: same counts, nothing doubled
    assert run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store").exit_code == 0
    assert {g: int(n) for g, n in run_endpoint(oxigraph + "/query", GRAPHS).rows} == graphs


def test_push_to_nothing_is_one_line(tmp_path, built):
    one_line_error(run_cli("push", "--input", str(built), "--endpoint", f"http://127.0.0.1:{free_port()}/store",
                           "--timeout", "2"), "cannot be reached")
    one_line_error(run_cli("push", "--input", str(built), "--endpoint", "store"), "expected the http(s) URL")


def test_push_with_a_graph_prefix(oxigraph, built):
    result = run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store", "--graph", "https://example.org/g/")
    assert result.exit_code == 0, result.output
    graphs = [g for g, _ in run_endpoint(oxigraph + "/query", GRAPHS).rows]
    assert "https://example.org/g/contract/coutras-2024-2030" in graphs and "https://example.org/g/shared" in graphs
    assert all(g.startswith("https://example.org/g/") for g in graphs)
