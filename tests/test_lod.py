"""Linked open data that passes the field's own rules (issue 19): the DCAT-AP 3.0.1 description of
the published dataset, reproducible publishes, and readable, self-describing twins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from conftest import PUBLISHED_BASE, ROOT, run_cli
from test_query import one_line_error

RULES = ROOT / "tests" / "fixtures" / "dcat-ap-rules.ttl"
BASE = PUBLISHED_BASE
DATASET = URIRef(BASE + "void#dataset")


def conforms(void: Path | Graph) -> tuple[bool, str]:
    from pyshacl import validate

    data = void if isinstance(void, Graph) else Graph().parse(void, format="turtle")
    ok, _report, text = validate(data, shacl_graph=Graph().parse(RULES, format="turtle"), inference="none")
    return ok, text


@pytest.fixture(scope="module")
def with_endpoint(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("lod") / "site"
    result = run_cli("publish", "--graph", str(built), "--out", str(out), "--base-uri", BASE,
                     "--sparql-endpoint", BASE + "sparql")
    assert result.exit_code == 0, result.output
    return out


def test_void_follows_the_dcat_ap_rules_with_and_without_a_sparql_endpoint(published, with_endpoint):
    """Point 1: the mandatory and range rules of DCAT-AP 3.0.1 (tests/fixtures/dcat-ap-rules.ttl)."""
    for site in (published, with_endpoint):
        ok, text = conforms(site / "void.ttl")
        assert ok, text
    g = Graph().parse(published / "void.ttl", format="turtle")
    catalog = URIRef(BASE + "void#catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g and (catalog, DCAT.dataset, DATASET) in g
    assert len(list(g.subjects(RDF.type, DCAT.Distribution))) == 6
    for dist in g.subjects(RDF.type, DCAT.Distribution):
        assert g.value(dist, DCAT.accessURL) == g.value(dist, DCAT.downloadURL) == dist
        assert (g.value(dist, DCAT.mediaType), RDF.type, DCTERMS.MediaType) in g
    assert g.value(DATASET, DCTERMS.license) == URIRef("http://spdx.org/licenses/etalab-2.0")
    record = g.value(catalog, DCAT.record)
    assert g.value(record, DCTERMS.conformsTo) == URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.1/")
    # recommended, where the data supports them: spatial, temporal (the contracts' years), themes
    assert g.value(DATASET, DCTERMS.spatial) == URIRef("http://publications.europa.eu/resource/authority/country/FRA")
    period = g.value(DATASET, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2015", datatype=XSD.gYear)
    assert g.value(period, DCAT.endDate) == Literal("2030", datatype=XSD.gYear)
    assert len(list(g.objects(DATASET, DCAT.theme))) == 2
    # no endpoint named: no data service, and the dataset no longer serves itself
    assert not list(g.subjects(RDF.type, DCAT.DataService)) and g.value(DATASET, VOID.sparqlEndpoint) is None
    assert not list(g.objects(DATASET, DCAT.servesDataset))


def test_links_out_are_described_by_linksets(published):
    """Point 2: each territory links to INSEE's resource for its code by owl:sameAs (the same commune,
    département or région) and to documents about it by rdfs:seeAlso (geo.api.gouv.fr; the directory
    of legal units for a collectivité's SIREN), from data/reference/links.yaml; void.ttl describes
    the links of each target and predicate as a void:Linkset with their number."""
    g = Graph().parse(published / "void.ttl", format="turtle")
    data = Graph().parse(published / "dump/cvgraph.nt", format="nt")
    sets = {(g.value(ls, VOID.linkPredicate), str(g.value(ls, VOID.objectsTarget))): int(g.value(ls, VOID.triples))
            for ls in g.subjects(RDF.type, VOID.Linkset)}
    assert set(sets) == {(OWL.sameAs, "http://id.insee.fr/"), (RDFS.seeAlso, "https://geo.api.gouv.fr/"),
                         (RDFS.seeAlso, "https://annuaire-entreprises.data.gouv.fr/")}
    for (predicate, host), n in sets.items():
        assert n == len([o for s, o in data.subject_objects(predicate)
                         if str(o).startswith(host) and str(s).startswith(BASE)]) > 0
    for ls in g.subjects(RDF.type, VOID.Linkset):
        assert (DATASET, VOID.subset, ls) in g and g.value(ls, VOID.subjectsTarget) == DATASET
    commune = URIRef(BASE + "territory/commune-33138")
    assert URIRef("https://geo.api.gouv.fr/communes/33138") in set(data.objects(commune, RDFS.seeAlso))
    assert set(data.objects(commune, OWL.sameAs)) == {URIRef("http://id.insee.fr/geo/commune/33138")}
    assert set(data.objects(URIRef(BASE + "territory/departement-33"), OWL.sameAs)) == \
        {URIRef("http://id.insee.fr/geo/departement/33")}
    # identity only between territories and INSEE's territories: nothing else is said to be the same
    assert {str(o).rsplit("/", 1)[0] for o in data.objects(None, OWL.sameAs)} <= \
        {"http://id.insee.fr/geo/commune", "http://id.insee.fr/geo/departement", "http://id.insee.fr/geo/region"}


def test_the_sparql_service_is_described_only_when_one_serves_the_data(with_endpoint):
    g = Graph().parse(with_endpoint / "void.ttl", format="turtle")
    service = g.value(predicate=RDF.type, object=DCAT.DataService)
    assert g.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql") == g.value(DATASET, VOID.sparqlEndpoint)
    assert (service, DCAT.servesDataset, DATASET) in g
    assert (URIRef(BASE + "void#catalog"), DCAT.service, service) in g
    access = g.value(predicate=DCAT.accessService, object=service)
    assert (DATASET, DCAT.distribution, access) in g


def test_the_rules_catch_what_they_state(published):
    """The shapes can fail: a distribution without access URL, a media type left untyped."""
    g = Graph().parse(published / "void.ttl", format="turtle")
    dist = URIRef(BASE + "dump/cvgraph.nt")
    g.remove((dist, DCAT.accessURL, None))
    ok, text = conforms(g)
    assert not ok and "dcat:accessURL is mandatory" in text
    g = Graph().parse(published / "void.ttl", format="turtle")
    g.remove((URIRef("https://www.iana.org/assignments/media-types/text/turtle"), RDF.type, None))
    ok, text = conforms(g)
    assert not ok and "dcat:mediaType is a dct:MediaType" in text


def test_dates_come_from_the_release_record_and_two_publishes_are_identical(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    release = data / "release.yaml"
    release.write_text(release.read_text(encoding="utf-8").replace("modified: 2026-12-01", "modified: 2027-03-15"),
                       encoding="utf-8")
    build = tmp_path / "build"
    assert run_cli("build", "--data", str(data), "--out", str(build)).exit_code == 0
    sites = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert run_cli("publish", "--graph", str(build), "--out", str(out), "--base-uri", BASE).exit_code == 0
        sites.append(out)
    g = Graph().parse(sites[0] / "void.ttl", format="turtle")
    assert g.value(DATASET, DCTERMS.modified) == Literal("2027-03-15", datatype=XSD.date)
    assert g.value(DATASET, DCTERMS.issued) == Literal("2026-12-01", datatype=XSD.date)
    files = sorted(p.relative_to(sites[0]) for p in sites[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites[1]) for p in sites[1].rglob("*") if p.is_file())
    different = [f for f in files if (sites[0] / f).read_bytes() != (sites[1] / f).read_bytes()]
    assert different == []
    # a wrong release record: one line naming file, line and field, and no build
    release.write_text(release.read_text(encoding="utf-8").replace("modified: 2027-03-15", "modified: 2020-01-01"),
                       encoding="utf-8")
    result = run_cli("build", "--data", str(data), "--out", str(tmp_path / "bad"))
    one_line_error(result, "release.yaml")
    assert "modified" in result.output and not (tmp_path / "bad").exists()


def test_twins_are_readable_and_say_what_they_describe(published):
    """Point 3: Turtle with @base and relative IRIs (no `\\/`), JSON-LD compacted against the site's
    context.jsonld (inline), each twin with its primary topic, dataset and licence."""
    context = json.loads((published / "context.jsonld").read_text(encoding="utf-8"))
    for path in ("contract/coutras-2024-2030/orientation/5", "organisation/etat", "instrument/bop-147"):
        iri = URIRef(BASE + path)
        ttl = (published / f"{path}.ttl").read_text(encoding="utf-8")
        assert ttl.startswith(f"@base <{BASE}> .") and "\\/" not in ttl and f"<{path}>" in ttl
        nt = Graph().parse(published / f"{path}.nt", format="nt")
        doc = json.loads((published / f"{path}.jsonld").read_text(encoding="utf-8"))
        assert doc["@context"] == context["@context"]    # the published context, inline: read offline
        assert any(key.startswith("cv:") for node in doc["@graph"] for key in node)   # compact, not expanded
        inline = Graph().parse(data=json.dumps(doc), format="json-ld")
        turtle = Graph().parse(data=ttl, format="turtle")
        for twin, ext in ((turtle, "ttl"), (inline, "jsonld"), (nt, "nt")):
            me = URIRef(f"{BASE}{path}.{ext}")
            assert twin.value(me, FOAF.primaryTopic) == iri
            assert twin.value(me, VOID.inDataset) == DATASET
            assert twin.value(me, DCTERMS.license) == URIRef("http://spdx.org/licenses/etalab-2.0")
        # the three twins say the same of the resource
        drop = lambda g: Graph().__iadd__([t for t in g if not str(t[0]).startswith(BASE + path + ".")])  # noqa: E731
        assert isomorphic(drop(turtle), drop(nt)) and isomorphic(drop(inline), drop(nt))
    assert "\\/" not in (published / "dump/cvgraph.ttl").read_text(encoding="utf-8")


def test_the_description_resolves_like_a_resource(published):
    for ext in ("html", "ttl", "jsonld", "nt"):
        assert (published / f"void.{ext}").is_file()
    nt = Graph().parse(published / "void.nt", format="nt")
    assert isomorphic(nt, Graph().parse(published / "void.ttl", format="turtle"))
