"""`cvgraph publish`: the static linked-data site, its links, its dumps and its VoID/DCAT description."""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from conftest import PUBLISHED_BASE, run_cli
from test_query import one_line_error

BASE = PUBLISHED_BASE


@pytest.fixture(scope="module")
def site(published):
    return published


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for key in ("href", "src", "action"):
            if attrs.get(key):
                self.links.append(attrs[key])


def test_every_link_of_the_site_resolves_inside_the_site(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 1000
    anchors: dict[Path, set[str]] = {}
    pending = []
    for path in pages:
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        anchors[path] = parser.ids
        for link in parser.links:
            if link.startswith(("http://", "https://", "mailto:")):
                assert not link.startswith(BASE), f"{path}: absolute link into the site: {link}"
                continue
            target, fragment = urldefrag(link)
            if target == "sparql":  # the endpoint, served by `cvgraph serve`
                continue
            resolved = (path.parent / target).resolve() if target else path
            pending.append((path, link, resolved, fragment))
    assert len(pending) > 20000
    for path, link, resolved, fragment in pending:
        assert resolved.is_file() and site.resolve() in resolved.parents, f"{path}: broken link {link}"
        if fragment and resolved.suffix == ".html":
            assert fragment in anchors[resolved], f"{path}: no #{fragment} in {resolved}"


def test_resource_files_at_predictable_paths(site):
    for rel in ("contract/coutras-2024-2030", "contract/coutras-2024-2030/orientation/5", "organisation/etat",
                "instrument/bop-147", "document/seed-002"):
        for ext in ("html", "ttl", "jsonld", "nt"):
            assert (site / f"{rel}.{ext}").is_file(), f"{rel}.{ext}"
    g = Graph().parse(site / "contract/coutras-2024-2030/orientation/5.ttl", format="turtle")
    me = URIRef(BASE + "contract/coutras-2024-2030/orientation/5")
    assert (me, None, None) in g and (None, None, me) in g  # its properties and the links into it
    assert len(Graph().parse(site / "contract/coutras-2024-2030/orientation/5.jsonld", format="json-ld")) == len(g)


def test_orientation_page_links_both_ways_and_gives_provenance(site):
    text = (site / "contract/coutras-2024-2030/orientation/5.html").read_text(encoding="utf-8")
    assert "<h1>Orientation 5 : Accompagner l’amélioration de l’habitat en transition</h1>" in text
    assert 'href="../../coutras-2024-2030.html"' in text          # out: its contract
    assert "Liens entrants" in text and "Pilote : " in text         # in: its pilots, actions, lines
    assert "002_ac9efd2afd3fa111.txt" in text and "1653" in text    # provenance: document and line
    assert 'type="text/turtle" href="5.ttl"' in text


def test_dumps_parse_and_agree(site, built):
    nt = (site / "dump/cvgraph.nt").read_bytes()
    assert gzip.decompress((site / "dump/cvgraph.nt.gz").read_bytes()) == nt
    n = len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)))
    assert n == len(list(ox.parse(path=str(built / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)))
    assert len(list(ox.parse(path=str(site / "dump/cvgraph.ttl"), format=ox.RdfFormat.TURTLE))) == n
    assert len(list(ox.parse(path=str(site / "dump/cvgraph.jsonld"), format=ox.RdfFormat.JSON_LD))) == n
    assert BASE.encode() in nt and b"https://w3id.org/cvgraph/id/" not in nt  # rebased


def test_void_dcat_parses_and_names_the_licence(site):
    g = Graph().parse(site / "void.ttl", format="turtle")
    void, dcat = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#"
    ds = URIRef(BASE + "void#dataset")
    assert (ds, RDF.type, URIRef(void + "Dataset")) in g and (ds, RDF.type, URIRef(dcat + "Dataset")) in g
    licence = g.value(ds, DCTERMS.license)
    assert str(licence) == "http://spdx.org/licenses/etalab-2.0"   # the SPDX IRI of the Licence Ouverte 2.0
    assert str(g.value(licence, URIRef("http://xmlns.com/foaf/0.1/page"))) == \
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert int(g.value(ds, URIRef(void + "triples"))) > 10000
    assert g.value(ds, URIRef(void + "sparqlEndpoint")) is None   # a static site serves no SPARQL
    for dump in g.objects(ds, URIRef(void + "dataDump")):
        assert (site / urlsplit(str(dump)).path.removeprefix(urlsplit(BASE).path)).is_file()
    assert len(list(g.objects(ds, URIRef(dcat + "distribution")))) == 6
    assert g.value(ds, DCTERMS.issued) is not None and g.value(ds, DCTERMS.publisher) is not None
    assert (site / ".well-known/void").read_bytes() == (site / "void.ttl").read_bytes()


def test_ontology_documentation(site):
    text = (site / "ontology/index.html").read_text(encoding="utf-8")
    assert 'id="Orientation"' in text and 'id="funder"' in text and "Orientation stratégique" in text
    assert 'id="vocab-funding-kind-droit-commun"' in text


def test_deployment_snippets(site):
    nginx = (site / "deploy/nginx.conf").read_text()
    assert "text/turtle" in nginx and "Vary Accept" in nginx and "location /cvgraph/" in nginx
    assert "RewriteRule" in (site / "deploy/apache.htaccess").read_text()


def test_labels_are_escaped(built, tmp_path):
    """A label holding markup is written as text."""
    from cvgraph.publish import Site, resource_page

    iri = BASE + "organisation/x"
    triples = [ox.Triple(ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                         ox.Literal('<script>alert("x")</script>', language="fr"))]
    text = resource_page(Site(triples, BASE, []), iri)
    assert "<script>alert" not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_bad_input(built, tmp_path):
    one_line_error(run_cli("publish", "--graph", str(built), "--out", str(tmp_path / "a"), "--base-uri", "data/cv"),
                   "expected an absolute http(s) IRI")
    one_line_error(run_cli("publish", "--graph", str(built), "--out", str(tmp_path / "a"), "--base-uri",
                           "ftp://example.org/"), "absolute http(s)")
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("keep me")
    one_line_error(run_cli("publish", "--graph", str(built), "--out", str(full)), "not empty", "--force")
    assert (full / "mine.txt").read_text() == "keep me"
    result = run_cli("publish", "--graph", str(built), "--out", str(full), "--force")
    assert result.exit_code == 0 and not (full / "mine.txt").exists() and (full / "index.html").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
