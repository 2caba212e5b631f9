"""`cvgraph query --endpoint` against a real SPARQL server: the Oxigraph server from PyPI (package
`oxigraph`), started on 127.0.0.1 by the test and loaded with the built graph."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from conftest import run_cli
from cvgraph.query import named_queries, run_embedded, run_endpoint
from servers import free_port, oxigraph_binary, oxigraph_server
from test_query import HOSTILE, PARAMS, one_line_error


@pytest.fixture(scope="module")
def endpoint(built, tmp_path_factory):
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(built / "graph.nt")],
                   check=True, capture_output=True, timeout=120)
    # read-write on purpose: the hostile-value test then shows that nothing was changed
    with oxigraph_server(location) as base:
        yield f"{base}/query"


def triple_count(url: str) -> int:
    from cvgraph.query import NamedQuery

    q = NamedQuery("count", "", "count", "", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(run_endpoint(url, q).rows[0][0])


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_endpoint_gives_the_same_rows_as_the_embedded_store(endpoint, store, name):
    query = named_queries()[name]
    here = run_embedded(store, query, PARAMS.get(name, {}))
    there = run_endpoint(endpoint, query, PARAMS.get(name, {}))
    assert there.variables == here.variables
    assert there.rows == here.rows
    # the seeds have a single contract with funding lines, and nothing an automatic reading proposed
    assert here.rows or name in ("common-funders", "to-validate")


def test_endpoint_through_the_cli(endpoint, built):
    args = ("query", "who-funds-what", "--format", "csv", "--param", "contract=coutras-2024-2030")
    remote = run_cli(*args, "--endpoint", endpoint)
    local = run_cli(*args, "--graph", str(built))
    assert remote.exit_code == 0 and remote.stdout == local.stdout
    assert remote.stdout.startswith("contract,orientation,orientation_title,funder,")


def test_hostile_value_on_the_endpoint_returns_no_row_and_changes_nothing(endpoint):
    before = triple_count(endpoint)
    result = run_endpoint(endpoint, named_queries()["funder-profile"], {"funder": HOSTILE})
    assert result.rows == []
    one_line_error(run_cli("query", "who-funds-what", "--endpoint", endpoint, "--param", f"contract={HOSTILE}"),
                   "unknown contract")
    assert triple_count(endpoint) == before > 10000


def test_syntax_error_is_reported_before_anything_is_sent(endpoint, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE {\n  ?s ?p\n}\n")
    one_line_error(run_cli("query", str(bad), "--endpoint", endpoint), f"{bad}:4:", "SPARQL syntax error")


@pytest.fixture
def silent_server():
    """A real TCP server on 127.0.0.1 that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held, stop = [], threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    sock.close()


def test_endpoint_that_does_not_answer_times_out_with_a_clear_message(silent_server):
    started = time.monotonic()
    result = run_cli("query", "who-funds-what", "--endpoint", silent_server, "--timeout", "1")
    one_line_error(result, "did not answer within 1 s")
    assert time.monotonic() - started < 10


def test_endpoint_that_is_not_there(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    one_line_error(run_cli("query", "who-funds-what", "--endpoint", url, "--timeout", "2"), "cannot be reached")
    one_line_error(run_cli("query", "who-funds-what", "--endpoint", "ftp://example.org/q"), "expected an http")


def test_endpoint_error_status_is_one_line(endpoint):
    wrong = endpoint.rsplit("/", 1)[0] + "/no-such-service"
    one_line_error(run_cli("query", "who-funds-what", "--endpoint", wrong), "endpoint")
