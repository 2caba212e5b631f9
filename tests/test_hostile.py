"""Hostile requests to a real `cvgraph serve` on 127.0.0.1: each is refused or cut off with the
right status, none reaches outside the machine or the site folder, and the server keeps serving.
(Updates, the time limit, `..` and bad percent-encoding: also tests/test_serve.py.)"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse

import pytest

from servers import cvgraph_server, free_port

SECRET = "cvgraph-hostile-secret-51d2"
SCRIPT = "<script>alert('cvgraph')</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_graph(built, tmp_path_factory):
    """The seed graph plus labels carrying HTML and script, as a hostile source could write them."""
    work = tmp_path_factory.mktemp("hostile")
    nt = (built / "graph.nt").read_text(encoding="utf-8")
    contract = "https://w3id.org/cvgraph/id/contract/coutras-2024-2030"
    extra = (f'<{contract}> <http://www.w3.org/2000/01/rdf-schema#comment> "{SCRIPT}"@fr .\n'
             f'<https://w3id.org/cvgraph/id/organisation/etat> <http://www.w3.org/2004/02/skos/core#altLabel> '
             f'"{IMG}"@fr .\n')
    (work / "graph.nt").write_text(nt + extra, encoding="utf-8")
    return work / "graph.nt"


@pytest.fixture(scope="module")
def server(hostile_graph, tmp_path_factory):
    from cvgraph.publish import publish

    root = tmp_path_factory.mktemp("hostilesite")
    port = free_port()
    site = root / "site"
    publish(site, hostile_graph, f"http://127.0.0.1:{port}/")
    (root / "secret.txt").write_text(SECRET)
    (site / "escape").symlink_to(root)                # a link out of the site folder
    (site / "escape.html").symlink_to(root / "secret.txt")
    with cvgraph_server(hostile_graph, root / "serve.log", "--site", str(site), "--time-limit", "2",
                        "--max-results", "500", port=port) as base:
        yield base, port


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.msg, r.read()   # r.msg: headers by case-insensitive name
    finally:
        conn.close()


def sparql(port: int, query: str, accept: str = "application/sparql-results+json"):
    return request(port, "POST", "/sparql", urllib.parse.urlencode({"query": query}).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


def still_serving(port: int) -> None:
    status, _, body = sparql(port, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_service_and_from_never_leave_the_machine(server):
    _, port = server
    listener = Listener()
    there = f"http://127.0.0.1:{listener.port}/sparql"
    try:
        for q in (f"SELECT * WHERE {{ SERVICE <{there}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE SILENT <{there}> {{ ?s ?p ?o }} }}",
                  f"select * {{ ?x ?y ?z . service <{there}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ \\u0053ERVICE <{there}> {{ ?s ?p ?o }} }}",
                  f"PREFIX s: <{there}#>\nSELECT * WHERE {{ ?a ?b ?c }} # fine\nSERVICE <{there}> {{}}"):
            status, _, body = sparql(port, q)
            assert status == 403 and b"SERVICE" in body, q
        for q in (f"SELECT * FROM <{there}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{there}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ ?s ?p \"SERVICE <{there}>\" }}"):   # a string is no keyword
            status, _, body = sparql(port, q)
            assert status == 200 and json.loads(body)["results"]["bindings"] == [], q
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()
    for update in ("LOAD <%s>" % there, "PREFIX a: <x:> LOAD <%s> INTO GRAPH <x:g>" % there):
        assert sparql(port, update)[0] == 403
        assert request(port, "POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})[0] == 403
    still_serving(port)


def test_huge_construct_is_cut(server):
    _, port = server
    started = time.monotonic()
    status, headers, body = sparql(port, "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 200 and "500" in headers["X-Cvgraph-Truncated"]
    assert len(body.decode().strip().splitlines()) == 500
    assert time.monotonic() - started < 10
    status, _, body = sparql(port, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f }",
                             "application/n-triples")
    assert status in (200, 503)   # cut at 500 triples, or stopped at the time limit
    still_serving(port)


def test_cartesian_and_deeply_nested_queries(server):
    _, port = server
    started = time.monotonic()
    status, _, body = sparql(port, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert status == 503 and b"time limit" in body and time.monotonic() - started < 10
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    status, _, body = sparql(port, deep)
    assert status == 400 and b"nested" in body
    parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"
    assert sparql(port, parens)[0] == 400
    unions = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " }"
    assert sparql(port, unions)[0] in (200, 503)   # wide, not deep: runs within the limits
    still_serving(port)


def test_oversized_bodies(server):
    _, port = server
    # announced too large: refused before any of the body is read
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000000000\r\n\r\nSELECT")
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    # sent chunked, without a length: cut once over the limit
    def chunks():
        for _ in range(100):
            yield b"#" * 10_000
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/sparql", body=chunks(), headers={"Content-Type": "application/sparql-query"},
                 encode_chunked=True)
    assert conn.getresponse().status == 413
    conn.close()
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 150_000
    assert sparql(port, long_query)[0] == 413
    still_serving(port)


def test_oversized_headers(server):
    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n")
        answer = s.recv(4096)
    assert answer.split(b" ")[1] in (b"400", b"431"), answer[:100]
    long_url = "/sparql?query=" + "a" * 40_000
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = s.recv(4096)
    assert answer.split(b" ")[1] in (b"400", b"414", b"431"), answer[:100]
    still_serving(port)


def test_paths_never_leave_the_site(server):
    _, port = server
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/contract/..%2f..%2fsecret.txt",
                 "/escape/secret.txt", "/escape.html", "/escape", "/..\\secret.txt", "/%5c..%5csecret.txt",
                 "/%00/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/contract/%ff", "/%", "/%zz", "//secret.txt",
                 "/./index.html"):
        status, _, body = request(port, "GET", path)
        assert status in (400, 404), (path, status)
        assert SECRET.encode() not in body
    still_serving(port)


def test_html_in_labels_is_escaped(server):
    _, port = server
    status, headers, page = request(port, "GET", "/contract/coutras-2024-2030", headers={"Accept": "text/html"})
    assert status == 200 and headers.get("x-content-type-options") == "nosniff"
    text = page.decode()
    assert SCRIPT not in text and "&lt;script&gt;alert(&#x27;cvgraph&#x27;)&lt;/script&gt;" in text
    status, _, page = request(port, "GET", "/organisation/etat", headers={"Accept": "text/html"})
    assert status == 200 and IMG not in page.decode() and "&lt;img src=x onerror=alert(1)&gt;" in page.decode()
    query = ("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#comment> ?l "
             "FILTER(CONTAINS(STR(?l), 'script')) }")
    status, headers, table = request(port, "GET", "/sparql?" + urllib.parse.urlencode({"query": query, "format": "html"}))
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert SCRIPT not in table.decode() and "&lt;script&gt;" in table.decode()
    status, headers, turtle = request(port, "GET", "/contract/coutras-2024-2030", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert headers.get("x-content-type-options") == "nosniff"   # never sniffed into HTML by a browser
