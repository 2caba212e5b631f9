"""`cvgraph serve`, run for real on 127.0.0.1: content negotiation on resource URIs, the SPARQL
1.1 endpoint (through SPARQLWrapper), its limits, hostile requests, and the pages in Chromium."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef

from cvgraph.query import named_queries, run_embedded, run_endpoint
from servers import cvgraph_server, render
from test_query import PARAMS


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with cvgraph_server(built, log, "--time-limit", "2", "--max-results", "1000") as base:
        yield base


def fetch(url: str, accept: str | None = None, method: str = "GET", data: bytes | None = None,
          headers: dict | None = None):
    req = urllib.request.Request(url, method=method, data=data, headers={**({"Accept": accept} if accept else {}),
                                                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


ORIENTATION = "contract/coutras-2024-2030/orientation/5"


def test_a_resource_names_its_descriptions_and_the_dataset_resolves(server):
    """Issue 19, points 1 and 3: `Link: rel=describedby` to the RDF twins; the dataset's description
    (its IRI <base>void#dataset) answers in HTML and RDF, and names this server's SPARQL endpoint."""
    status, headers, _ = fetch(server + ORIENTATION, "text/html")
    links = headers.get("Link", "")
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples")):
        assert f'<5.{ext}>; rel="describedby"; type="{media}"' in links
    status, headers, body = fetch(server + "void", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body.decode(), format="turtle")
    dcat, void = "http://www.w3.org/ns/dcat#", "http://rdfs.org/ns/void#"
    service = next(g.subjects(RDF.type, URIRef(dcat + "DataService")))
    assert str(g.value(service, URIRef(dcat + "endpointURL"))) == server + "sparql"
    assert str(g.value(URIRef(server + "void#dataset"), URIRef(void + "sparqlEndpoint"))) == server + "sparql"
    assert fetch(server + "void", "text/html")[1]["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", None)])
def test_resource_uri_answers_in_each_format(server, accept, fmt):
    status, headers, body = fetch(server + ORIENTATION, accept)
    assert status == 200 and "Accept" in headers.get("Vary", "")
    if fmt is None:
        assert headers["Content-Type"].startswith("text/html")
        assert "Accompagner l’amélioration de l’habitat en transition" in body.decode()
        return
    assert headers["Content-Type"].split(";")[0] == accept
    triples = list(ox.parse(body, format=fmt))
    me = ox.NamedNode(server + ORIENTATION)  # served now, so its URIs are this server's
    assert any(t.subject == me for t in triples) and any(t.object == me for t in triples)
    titles = [t.object.value for t in triples if t.subject == me and t.predicate.value.endswith("#title")]
    assert titles == ["Accompagner l’amélioration de l’habitat en transition"]


def test_twins_home_and_not_acceptable(server):
    assert fetch(server + ORIENTATION + ".ttl")[1]["Content-Type"].startswith("text/turtle")
    status, _, body = fetch(server)
    assert status == 200 and b"Contrats de ville" in body
    assert fetch(server + ORIENTATION, "image/png")[0] == 406
    status, headers, body = fetch(server + "void.ttl")
    assert status == 200 and len(Graph().parse(data=body.decode(), format="turtle")) > 30


def test_sparqlwrapper_gets_the_same_rows_as_the_embedded_store(server):
    from cvgraph.graph import graph_base

    status, _, dump = fetch(server + "dump/cvgraph.nt")
    local = ox.Store()
    local.load(dump, format=ox.RdfFormat.N_TRIPLES)
    assert graph_base(local) == server
    for name in ("who-funds-what", "orientation-sheet", "partner-roles", "funder-without-instrument"):
        q = named_queries()[name]
        here = run_embedded(local, q, PARAMS.get(name, {}))
        there = run_endpoint(server + "sparql", q, PARAMS.get(name, {}))
        assert there.variables == here.variables and there.rows == here.rows and here.rows, name


@pytest.mark.parametrize("fmt,media", [("json", "application/sparql-results+json"),
                                       ("xml", "application/sparql-results+xml"),
                                       ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_select_in_each_results_format(server, fmt, media):
    query = "SELECT ?id WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> ; <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"
    status, headers, body = fetch(server + "sparql?" + urllib.parse.urlencode({"query": query}), media)
    assert status == 200 and headers["Content-Type"].startswith(media)
    expected = ["contrat-003-2015", "coutras-2015-2023", "coutras-2024-2030", "valenciennes-2015-2022"]
    if fmt == "csv":  # lossy by design: plain values, no RDF terms
        assert body.decode().split("\r\n") == ["id", *expected, ""]
        return
    results = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media))
    assert [s["id"].value for s in results] == expected


def test_post_construct_and_ask(server):
    status, headers, body = fetch(server + "sparql", "text/turtle", "POST",
                                  b"CONSTRUCT { ?c a <http://example.org/C> } WHERE { ?c a <https://w3id.org/cvgraph/ontology#Contract> }",
                                  {"Content-Type": "application/sparql-query"})
    assert status == 200 and len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 4
    status, _, body = fetch(server + "sparql", "application/sparql-results+json", "POST",
                            urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_updates_are_refused_and_nothing_changes(server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = json.loads(fetch(server + "sparql?" + urllib.parse.urlencode({"query": count}))[2])
    for data, ctype in ((b"DROP ALL", "application/sparql-update"),
                        (urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
                        (urllib.parse.urlencode({"query": "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }"}).encode(),
                         "application/x-www-form-urlencoded")):
        assert fetch(server + "sparql", None, "POST", data, {"Content-Type": ctype})[0] == 403
    assert fetch(server + "sparql?" + urllib.parse.urlencode({"query": "LOAD <http://example.org/x>"}))[0] == 403
    assert json.loads(fetch(server + "sparql?" + urllib.parse.urlencode({"query": count}))[2]) == before


def test_time_limit_and_result_cap_and_the_server_keeps_serving(server):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    status, _, body = fetch(server + "sparql?" + urllib.parse.urlencode({"query": heavy}))
    assert status == 503 and b"time limit" in body and time.monotonic() - started < 15
    status, headers, body = fetch(server + "sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}),
                                  "application/sparql-results+json")
    assert status == 200 and "1000" in headers["X-Cvgraph-Truncated"]
    assert len(json.loads(body)["results"]["bindings"]) == 1000
    assert fetch(server + "sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))[0] == 200


def test_bad_requests_get_clear_answers(server):
    assert fetch(server + "sparql?" + urllib.parse.urlencode({"query": "SELECT WHERE {"}))[0] == 400
    assert fetch(server + "sparql")[0] == 400
    status, headers, body = fetch(server + "contract/lyon-2024")
    assert status == 404 and b"introuvable" in body
    # a path with ".." (sent as is, and percent-encoded)
    import http.client
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(server).netloc, timeout=10)
    for path in ("/contract/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/contract/%ff"):
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        assert response.status == 400, path
    conn.close()
    assert fetch(server)[0] == 200  # still serving


def test_pages_render_in_headless_chromium(server, tmp_path):
    for name, path, expected in (("home", "", "Contrats de ville : le graphe de connaissances"),
                                 ("orientation", ORIENTATION, "Accompagner l’amélioration de l’habitat"),
                                 ("query", "query.html", "Requêtes SPARQL")):
        assert expected in render(server + path, tmp_path / f"serve-{name}.png"), name


def test_query_page_runs_its_queries(server):
    """query.html's forms GET /sparql with format=html: people get a table."""
    status, _, page = fetch(server + "query.html")
    assert status == 200 and page.count(b'action="sparql"') == len(named_queries()) + 1
    q = named_queries()["orientation-without-service"].text
    status, headers, body = fetch(server + "sparql?" + urllib.parse.urlencode({"query": q, "format": "html"}))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.count(b"<tr>") == 12 + 1  # 12 rows (O8, 9, 12, 13, 14, 16 and Valenciennes' 6) + header


def test_serve_notices_a_new_build_drops_its_kept_answers_and_removes_its_sites(tmp_path):
    """A server of a build folder serves the next build of it once published (the pages and the
    SPARQL answers, even one it had kept), removes the site it published before, and removes the
    last one when it is stopped (SIGTERM)."""
    import re
    import shutil

    from cvgraph.build import build
    from conftest import ROOT
    from servers import cvgraph_server

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out, log = tmp_path / "build", tmp_path / "serve.log"
    build(data, out)
    query = ('PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?t WHERE { ?c dcterms:identifier '
             '"coutras-2024-2030" ; dcterms:title ?t }')

    def title(base):
        status, _, body = fetch(base + "sparql?" + urllib.parse.urlencode({"query": query}),
                                "application/sparql-results+json")
        assert status == 200
        return [b["t"]["value"] for b in json.loads(body)["results"]["bindings"]]

    with cvgraph_server(out, log) as base:
        old = title(base)
        assert len(old) == 1 and title(base) == old          # the second answer is the kept one
        sheet = data / "contracts" / "coutras-2024-2030.yaml"
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(re.sub(r"(?m)^title: .*$", "title: Contrat de ville de Coutras, révisé", text, count=1),
                         encoding="utf-8")
        assert build(data, out).compiled == (1, 4)
        deadline = time.monotonic() + 90
        while title(base) == old:
            assert time.monotonic() < deadline, "the new build was not served within 90 s"
            time.sleep(0.5)
        assert title(base) == ["Contrat de ville de Coutras, révisé"]
        status, _, page = fetch(base + "contract/coutras-2024-2030", "text/html")
        assert status == 200 and "Contrat de ville de Coutras, révisé" in page.decode()
        while len(sites := re.findall(r"cvgraph: serving (?:the new build of \S+ \()?(/\S+?/site)\b",
                                      log.read_text())) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)   # the line is printed once the old site is removed
        assert len(sites) == 2 and not Path(sites[0]).exists() and Path(sites[1]).is_dir()
    assert not Path(sites[1]).parent.exists()                  # stopped: its site is gone
