"""Every shape and every gap query, on a tiny complete contract (passes) and on that contract broken
one way per shape and per query (fails). The breakages are SPARQL updates of tests/fixtures/complete.ttl."""

import re
from functools import lru_cache

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from cvgraph.gaps import categories
from cvgraph.query import named_queries
from cvgraph.validate import CVS, SH, load_shapes, validate_graph
from cvgraph.vocab import RDF
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "complete.ttl"
PREFIXES = """PREFIX cv: <https://w3id.org/cvgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX : <https://example.org/t/>
"""
KIND = "https://w3id.org/cvgraph/vocab/funding-kind/"
ROLE = "https://w3id.org/cvgraph/vocab/role/"
PERCENT = "<https://w3id.org/cvgraph/vocab/unit/percent>"
NEW_SIGNATORY = """INSERT DATA { :c cv:signatory :caf . :sc-caf a cv:SignatoryCommitment ; cv:contract :c ;
    cv:signatory :caf ; cv:item :sc-caf-1 ; dcterms:source :doc ; cv:sourceLine 30 .
    :sc-caf-1 a cv:CommitmentItem ; cv:rank 1 ; dcterms:source :doc ; cv:sourceLine 31 . }"""
NEW_FUNDER = f"""INSERT DATA {{ :line-bpi a cv:FundingLine ; cv:orientation :o1 ; cv:funder :bpi ; cv:instrument :fipd ;
    cv:fundingKind <{KIND}droit-commun> ; dcterms:source :doc ; cv:sourceLine 32 . }}"""
FLAGGED = f"""DELETE DATA {{ :figure cv:value "42.5"^^xsd:decimal }} ;
    INSERT DATA {{ :figure cv:value "142.5"^^xsd:decimal ; cv:flag "Écrit « 142,5 % »."@fr }}"""


def swap(s, p, old, new):
    return f"DELETE DATA {{ {s} {p} {old} }} ; INSERT DATA {{ {s} {p} {new} }}"


# shape (local name) -> the update that breaks the complete contract for that shape alone
BREAK = {
    # validity
    "OrientationShape": "DELETE DATA { :o1 cv:number 1 }",
    "Orientation-number": 'DELETE DATA { :o1 cv:number 1 } ; INSERT DATA { :o1 cv:number "1" }',
    "Orientation-title": 'INSERT DATA { :o1 cv:title "Autre titre"@fr }',
    "Orientation-contract": "DELETE DATA { :o1 cv:contract :c }",
    "Orientation-axis": "INSERT DATA { :o1 cv:axis :axis2 . :axis2 a cv:Axis }",
    "OrientationAxisStatedShape": "DELETE DATA { :o1 cv:axis :axis }",
    "FundingLineShape": "DELETE DATA { :line-dc cv:funder :ddets }",
    "FundingLine-funder": "DELETE DATA { :line-dc cv:funder :ddets }",
    "FundingLine-orientation": "INSERT DATA { :line-dc cv:orientation :o2 . :o2 a cv:Orientation }",
    "FundingLine-kind": f"INSERT DATA {{ :line-dc cv:fundingKind <{KIND}autre> }}",
    "FundingLine-amount": 'INSERT DATA { :line-dc cv:amount "-5.0"^^xsd:decimal }',
    "ObservationShape": "DELETE DATA { :figure cv:unit %s }" % PERCENT,
    "Observation-value": 'DELETE DATA { :figure cv:value "42.5"^^xsd:decimal } ; INSERT DATA { :figure cv:value "42,5" }',
    "Observation-valueMax": 'INSERT DATA { :figure cv:valueMax "50" }',
    "Observation-unit": "DELETE DATA { :figure cv:unit %s }" % PERCENT,
    "Observation-contract": "DELETE DATA { :figure cv:contract :c }",
    "Observation-document": "DELETE DATA { :figure dcterms:source :doc }",
    "ObservationPeriodShape": 'DELETE DATA { :figure cv:period "2020" }',
    "ObservationSourceShape": 'DELETE DATA { :figure cv:statedSource "INSEE"@fr }',
    "PercentageRangeShape": swap(":figure", "cv:value", '"42.5"^^xsd:decimal', '"142.5"^^xsd:decimal'),
    "SignatoryCommitmentShape": "DELETE DATA { :sc-etat cv:signatory :etat }",
    "SignatoryCommitment-signatory": "DELETE DATA { :sc-etat cv:signatory :etat }",
    "SignatoryCommitment-contract": "INSERT DATA { :sc-etat cv:contract :c2 . :c2 a cv:Contract }",
    "SignatoryCommitment-item": "INSERT DATA { :sc-etat cv:item :etat }",
    "ParticipationShape": "DELETE DATA { :pilot cv:participant :agglo }",
    "Participation-participant": "DELETE DATA { :pilot cv:participant :agglo }",
    "Participation-role": f"INSERT DATA {{ :pilot cv:role <{ROLE}financeur> }}",
    "ContractShape": 'DELETE DATA { :c dcterms:identifier "test" }',
    "Contract-identifier": swap(":c", "dcterms:identifier", '"test"', '"Contrat Test"'),
    "Contract-title": 'DELETE DATA { :c dcterms:title "Contrat de test"@fr }',
    "Contract-generation": "DELETE DATA { :c cv:generation <https://w3id.org/cvgraph/vocab/generation/engagements-quartiers-2030> }",
    "Contract-signatureDate": swap(":c", "cv:signatureDate", '"2024-03-01"^^xsd:date', '"1er mars 2024"'),
    "Contract-pilot": "DELETE DATA { :c cv:pilotOrganisation :agglo }",
    "Typed-date": 'INSERT DATA { :c cv:startDate "2024" }',
    "Typed-year": swap(":c", "cv:endYear", '"2030"^^xsd:gYear', "2030"),
    "Typed-count": swap(":action", "cv:rank", "1", "-1"),
    "Typed-line": swap(":action", "cv:sourceLine", "14", '"14"'),
    "Typed-flag": 'INSERT DATA { :figure cv:sourceNotStated "oui" }',
    "Provenance-document": "DELETE DATA { :action dcterms:source :doc }",
    "Link-contract": "INSERT DATA { :action cv:contract :o1 }",
    "Link-orientation": "INSERT DATA { :action cv:orientation :c }",
    "Link-organisation": "INSERT DATA { :ddets org:subOrganizationOf :c }",
    "Link-instrument": "INSERT DATA { :fipd cv:programme :etat }",
    "Link-territory": "INSERT DATA { :c cv:territory :etat }",
    "Link-axis": "INSERT DATA { :c cv:axis :o1 }",
    # completeness
    "OrientationCompletenessShape": "DELETE DATA { :action cv:orientation :o1 }",
    "Orientation-pilot": swap(":pilot", "cv:role", f"<{ROLE}pilot>", f"<{ROLE}service>"),
    "Orientation-service": swap(":service", "cv:role", f"<{ROLE}service>", f"<{ROLE}pilot>"),
    "Orientation-objective": "DELETE DATA { :objective cv:orientation :o1 }",
    "Orientation-action": "DELETE DATA { :action cv:orientation :o1 }",
    "Orientation-figure": "DELETE DATA { :figure cv:orientation :o1 }",
    "Orientation-indicator": "DELETE DATA { :indicator cv:orientation :o1 }",
    "Orientation-commonLawFunding": swap(":line-dc", "cv:fundingKind", f"<{KIND}droit-commun>", f"<{KIND}non-precise>"),
    "Orientation-specificFunding": swap(":line-sp", "cv:fundingKind", f"<{KIND}specifique>", f"<{KIND}non-precise>"),
    "FundingLine-instrument": "DELETE DATA { :line-dc cv:instrument :fipd }",
    "SignatoryCommitment-written": "DELETE DATA { :sc-agglo cv:item :sc-agglo-1 }",
    "SignatoryRoleShape": NEW_SIGNATORY,
    "FunderCommitmentShape": NEW_FUNDER,
    "Organisation-resolved": "INSERT DATA { :ddets cv:unresolved true }",
    "Observation-periodStated": 'DELETE DATA { :figure cv:period "2020" } ; INSERT DATA { :figure cv:periodNotStated true }',
    "Observation-sourceStated": 'DELETE DATA { :figure cv:statedSource "INSEE"@fr } ; INSERT DATA { :figure cv:sourceNotStated true }',
    "PercentageFlaggedShape": FLAGGED,
    "TitleMismatchShape": 'INSERT DATA { :o1 cv:protocolTitle "Assurer la tranquillité"@fr }',
}

# gap query -> (breaking update, the (orientation, subject) rows expected)
GAP_BREAK = {
    "funder-without-instrument": (BREAK["FundingLine-instrument"], {("1", "DDETS")}),
    "orientation-without-service": (BREAK["Orientation-service"], {("1", "")}),
    "orientation-without-pilot": (BREAK["Orientation-pilot"], {("1", "")}),
    "orientation-without-figure": (BREAK["Orientation-figure"], {("1", "")}),
    "orientation-without-indicator": (BREAK["Orientation-indicator"], {("1", "")}),
    "orientation-without-specific-funding": (BREAK["Orientation-specificFunding"], {("1", "")}),
    "signatory-without-role": (NEW_SIGNATORY, {("", "CAF")}),
    "funder-without-commitment": (NEW_FUNDER, {("", "Bpifrance")}),
    "unresolved-name": (BREAK["Organisation-resolved"], {("1", "DDETS")}),
    "figure-out-of-range": (FLAGGED, {("1", "Part des moins de 25 ans")}),
    "title-mismatch": (BREAK["TitleMismatchShape"], {("1", "")}),
    "to-validate": ("INSERT DATA { :ddets cv:toValidate true }", {("1", "DDETS")}),
    # the protocol writes the title in capitals, with a typographic apostrophe and a final stop
    "title-variant": ('INSERT DATA { :o1 cv:protocolTitle "GARANTIR  la tranquillité."@fr }', {("1", "")}),
}


@lru_cache(maxsize=1)
def shapes():
    return load_shapes()


def fixture(update: str | None = None) -> Graph:
    g = Graph().parse(FIXTURE, format="turtle")
    if update:
        g.update(PREFIXES + update)
    return g


def named_shapes():
    g = shapes()
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    return sorted(str(s).split("#")[1] for s in found if isinstance(s, URIRef))


def gap_rows(g: Graph, text: str) -> list[tuple]:
    store = ox.Store()
    store.load(g.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)
    return [tuple("" if v is None else v.value for v in row) for row in store.query(text)]


def test_every_shape_has_a_failing_fixture():
    assert set(named_shapes()) == set(BREAK)


def test_every_shape_has_a_stable_iri_and_french_and_english_messages():
    g = shapes()
    for name in named_shapes():
        shape = CVS[name]
        holders = [shape] + list(g.objects(shape, SH.sparql))
        langs = {getattr(m, "language", None) for h in holders for m in g.objects(h, SH.message)}
        if (shape, SH.property, None) in g and not langs:  # a node shape that only groups property shapes
            continue
        assert {"fr", "en"} <= langs, name


def test_the_complete_contract_passes_every_shape():
    assert validate_graph(fixture(), shapes()).findings == []


@pytest.mark.parametrize("name", sorted(BREAK))
def test_each_shape_fails_on_its_broken_fixture(name):
    findings = validate_graph(fixture(BREAK[name]), shapes()).findings
    shape = str(CVS[name])
    held = {str(p) for p in shapes().objects(CVS[name], SH.property)}
    mine = [f for f in findings if f.shape == shape or f.shape in held]
    assert mine, f"{name}: {[(f.shape, f.message) for f in findings]}"
    completeness = (CVS[name], CVS.gap, None) in shapes() or name == "OrientationCompletenessShape"
    assert {f.severity for f in mine} == ({"Warning"} if completeness else {"Violation"})


def test_every_gap_query_has_a_failing_fixture():
    assert {q.name for q in named_queries().values() if q.purpose == "gaps"} == set(GAP_BREAK)


@pytest.mark.parametrize("name", sorted(GAP_BREAK))
def test_each_gap_query_is_empty_on_the_complete_contract(name):
    assert gap_rows(fixture(), named_queries()[name].text) == []


@pytest.mark.parametrize("name", sorted(GAP_BREAK))
def test_each_gap_query_finds_its_gap(name):
    update, expected = GAP_BREAK[name]
    rows = gap_rows(fixture(update), named_queries()[name].text)
    assert {(r[1], r[2]) for r in rows} == expected
    assert all(r[0] == "test" and r[3] and r[4] == "test.txt" for r in rows)


def not_exists_form(text: str) -> str:
    """The same query written with FILTER NOT EXISTS instead of OPTIONAL + !BOUND or MINUS."""
    text = re.sub(r"OPTIONAL \{ ([^{}]*?)(?: BIND \(true AS \?\w+\))? \}\s*FILTER \(!BOUND\(\?\w+\)\)",
                  r"FILTER NOT EXISTS { \1 }", text)
    return text.replace("MINUS {", "FILTER NOT EXISTS {")


@pytest.mark.parametrize("name", sorted(GAP_BREAK))
def test_scalable_forms_give_the_same_rows_as_not_exists(name, built):
    """The gap queries avoid FILTER NOT EXISTS (slow at scale); the NOT EXISTS form agrees."""
    text = named_queries()[name].text
    other = not_exists_form(text)
    if "FILTER (!BOUND" not in text and "MINUS" not in text:
        pytest.skip("no negation in this query")
    assert other != text and "NOT EXISTS" in other
    store = ox.Store()
    store.bulk_load(path=str(built / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    key = lambda rows: sorted(tuple("" if v is None else v.value for v in r) for r in rows)  # noqa: E731
    assert key(store.query(text)) == key(store.query(other))
    broken = fixture(GAP_BREAK[name][0])
    assert sorted(gap_rows(broken, text)) == sorted(gap_rows(broken, other))


def test_gap_categories_cover_the_issue_list():
    wanted = {"funder-without-instrument", "orientation-without-service", "orientation-without-figure",
              "orientation-without-indicator", "orientation-without-pilot", "orientation-without-specific-funding",
              "signatory-without-role", "funder-without-commitment", "unresolved-name", "figure-out-of-range",
              "title-mismatch"}
    cats = categories()
    assert wanted <= set(cats)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", c) and cats[c].title for c in cats)
