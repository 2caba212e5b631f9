"""`cvgraph network`: the partner co-engagement graph, its centralities and communities, and the
files other tools open."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from conftest import run_cli
from cvgraph.network import co_engagement, ranking
from test_query import one_line_error

C24 = "coutras-2024-2030"
ORG = "https://w3id.org/cvgraph/id/organisation/"


@pytest.fixture(scope="module")
def g(store):
    return co_engagement(store, C24)


def test_partners_and_weights_as_in_the_fiches(g):
    """The Mission locale is a funder in O2 (seed 002 l. 1510) and a pilot in O9 (l. 2111); the
    Commune de Coutras funds O2 (l. 1515 "-Commune") and pilots O9 (l. 2111): they share exactly
    these two orientations."""
    assert g.edges[ORG + "mission-locale-libournais", ORG + "coutras"]["weight"] == 2
    assert g.nodes[ORG + "mission-locale-libournais"]["orientations"] == 2
    # MSA and CMA sign but hold no role in any fiche: they are not in the co-engagement graph
    assert ORG + "msa-gironde" not in g and ORG + "cma-nouvelle-aquitaine" not in g
    # the State and the Département have a role in all 16 orientations, so they share all 16
    assert g.edges[ORG + "etat", ORG + "departement-gironde"]["weight"] == 16
    assert all(d["weight"] >= 1 for _, _, d in g.edges(data=True))


def test_ranking_and_communities(g):
    ranked = ranking(g)
    assert {d["partner"] for d in ranked[:2]} == {ORG + "etat", ORG + "departement-gironde"}
    assert [d["rank"] for d in ranked] == list(range(1, len(ranked) + 1))
    strengths = [d["strength"] for d in ranked]
    assert strengths == sorted(strengths, reverse=True)
    communities = {d["community"] for _, d in g.nodes(data=True)}
    assert len(communities) >= 2 and min(communities) == 1
    for _, d in g.nodes(data=True):
        assert 0 <= d["betweenness"] <= 1 and 0 <= d["eigenvector"] <= 1 and 0 < d["degree_centrality"] <= 1


def test_text_report(built):
    result = run_cli("network", "--graph", str(built), "--contract", C24)
    assert result.exit_code == 0
    assert result.stdout.startswith("Réseau de co-engagement : 40 partenaires")
    assert "Communauté 1 (" in result.stdout


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "svg", "png"])
def test_files_open_in_other_tools(built, tmp_path, g, fmt):
    out = tmp_path / f"partenaires.{fmt}"
    result = run_cli("network", "--graph", str(built), "--contract", C24, "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "graphml":
        back = nx.read_graphml(io.BytesIO(data))
    elif fmt == "gexf":
        back = nx.read_gexf(io.BytesIO(data))
    elif fmt == "json":
        back = nx.node_link_graph(json.loads(data), edges="links")
    elif fmt == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
        return
    else:
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50000
        return
    assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == g.number_of_edges()
    node = back.nodes[ORG + "etat"]
    assert node["label"] == "État" and int(node["community"]) >= 1 and float(node["betweenness"]) >= 0
    assert int(back.edges[ORG + "mission-locale-libournais", ORG + "coutras"]["weight"]) == 2


def test_network_errors(built):
    one_line_error(run_cli("network", "--graph", str(built), "--contract", "lyon"), "unknown contract 'lyon'")
    one_line_error(run_cli("network", "--graph", str(built), "--format", "png"), "needs --out")
