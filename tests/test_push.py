"""`cvgraph push` into a real Graph Store Protocol server (the Oxigraph server from PyPI) on
127.0.0.1, then `cvgraph query --endpoint` on what was pushed."""

from __future__ import annotations

import json

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
    built_triples = json.loads((built / "summary.json").read_text(encoding="utf-8"))["triples"]
    assert sum(graphs.values()) == built_triples > 11000  # every triple of the build, each in one graph
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
    # a Graph Store endpoint of unknown layout: the update endpoint must be named
    one_line_error(run_cli("push", "--input", str(built), "--endpoint", "http://127.0.0.1:9/gsp"), "--update URL")
    from cvgraph.push import update_endpoint_for
    assert update_endpoint_for("http://127.0.0.1:7878/store") == "http://127.0.0.1:7878/update"
    assert update_endpoint_for("http://h/fuseki/ds/data") == "http://h/fuseki/ds/update"


def test_push_with_a_graph_prefix(oxigraph, built):
    result = run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store", "--graph", "https://example.org/g/")
    assert result.exit_code == 0, result.output
    graphs = [g for g, _ in run_endpoint(oxigraph + "/query", GRAPHS).rows]
    assert "https://example.org/g/contract/coutras-2024-2030" in graphs and "https://example.org/g/shared" in graphs
    assert all(g.startswith("https://example.org/g/") for g in graphs)


# --- nothing lost: a push that fails or is killed half-way leaves the old graphs ------------------

def endpoint_state(base: str) -> dict[str, frozenset]:
    """Every named graph on the server (staging graphs apart) and its triples, read as N-Quads."""
    import urllib.request

    import pyoxigraph as ox

    request = urllib.request.Request(base + "/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as r:
        quads = list(ox.parse(r.read(), format=ox.RdfFormat.N_QUADS))
    state: dict[str, set] = {}
    for q in quads:
        state.setdefault(q.graph_name.value, set()).add(str(q.triple))
    return {g: frozenset(t) for g, t in state.items() if "/staging/" not in g}


@pytest.fixture(scope="module")
def other_build(tmp_path_factory):
    """The seed build with one contract's title changed: same graph names, other content."""
    import shutil

    from cvgraph.build import build
    from conftest import ROOT

    work = tmp_path_factory.mktemp("other")
    shutil.copytree(ROOT / "data", work / "data")
    sheet = work / "data" / "contracts" / "coutras-2024-2030.yaml"
    text = sheet.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    sheet.write_text(text.replace("\ntitle: ", "\ntitle: Version modifiée de ", 1), encoding="utf-8")
    build(work / "data", work / "build")
    return work / "build"


def test_a_push_failing_half_way_leaves_the_old_graphs(oxigraph, built, other_build, monkeypatch):
    from cvgraph import push as push_module
    from cvgraph.errors import UsageError

    assert run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store").exit_code == 0
    before = endpoint_state(oxigraph)
    real_put, calls = push_module._put, []

    def put_then_fail(*args):   # the third graph's upload fails, as a dropped connection would
        calls.append(args[1])
        if len(calls) == 3:
            raise UsageError("endpoint: connection reset (injected)")
        real_put(*args)
    monkeypatch.setattr(push_module, "_put", put_then_fail)
    with pytest.raises(UsageError):
        push_module.push(oxigraph + "/store", other_build)
    assert len(calls) == 3 and endpoint_state(oxigraph) == before
    staging = [g for g, _ in run_endpoint(oxigraph + "/query", GRAPHS).rows if "/staging/" in g]
    assert staging == []   # the staged parts were dropped
    monkeypatch.undo()
    push_module.push(oxigraph + "/store", other_build)
    after = endpoint_state(oxigraph)
    assert set(after) == set(before) and after != before
    changed = [g for g in after if after[g] != before[g]]
    assert changed == ["https://w3id.org/cvgraph/id/graph/contract/coutras-2024-2030"]


def test_a_push_killed_at_any_point_leaves_old_or_new_never_a_mix(oxigraph, built, other_build):
    import subprocess
    import sys
    import time

    assert run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store").exit_code == 0
    old = endpoint_state(oxigraph)
    command = [sys.executable, "-m", "cvgraph.cli", "push", "--input", str(other_build), "--endpoint",
               oxigraph + "/store"]
    t = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    full = time.monotonic() - t
    new = endpoint_state(oxigraph)
    assert new != old
    assert run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store").exit_code == 0
    killed_mid_way = 0
    for i in range(12):   # kill points spread over the whole run, start-up included
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (i + 0.5) / 12)
        if proc.poll() is None:
            killed_mid_way += 1
        proc.kill()
        proc.wait()
        state = endpoint_state(oxigraph)
        assert state in (old, new), f"kill {i}: a mix of old and new graphs"
        if state == new:   # it finished before the kill: start again from the old graphs
            assert run_cli("push", "--input", str(built), "--endpoint", oxigraph + "/store").exit_code == 0
    assert killed_mid_way >= 6
