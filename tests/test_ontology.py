"""A sound ontology (issue 19, point 4): an OWL RL closure of ontology and data (owlrl) finds no
inconsistency and makes no class a SKOS concept; each class of the disjointness axiom, given an
instance that also belongs to another of its classes, is flagged; cv:flag is valid in OWL 2 DL; the
ontology has its version IRI and dates; the data uses PROV."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from conftest import ROOT

CV = Namespace("https://w3id.org/cvgraph/ontology#")
ONTOLOGY = ROOT / "ontology" / "cvgraph.ttl"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")   # where owlrl writes what it finds inconsistent
# SKOS's own axioms for the mapping properties (SKOS Reference, section 10): semantic relations link concepts
SKOS_AXIOMS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
skos:semanticRelation rdfs:domain skos:Concept ; rdfs:range skos:Concept .
skos:mappingRelation rdfs:subPropertyOf skos:semanticRelation .
skos:closeMatch rdfs:subPropertyOf skos:mappingRelation . skos:exactMatch rdfs:subPropertyOf skos:closeMatch .
skos:broadMatch rdfs:subPropertyOf skos:mappingRelation . skos:narrowMatch rdfs:subPropertyOf skos:mappingRelation .
skos:relatedMatch rdfs:subPropertyOf skos:mappingRelation .
"""


def closure(g: Graph) -> tuple[Graph, list[str]]:
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(m) for s in g.subjects(RDF.type, ERR.ErrorMessage) for m in g.objects(s, ERR.error)]
    return g, errors


def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def disjoint_pairs() -> list[tuple[URIRef, URIRef]]:
    g = ontology()
    return sorted(g.subject_objects(OWL.disjointWith))


def test_owl_rl_closure_of_ontology_and_data_is_consistent_and_makes_no_class_a_concept(built):
    from cvgraph.graph import graph_file

    g = ontology().parse(graph_file(built)).parse(data=SKOS_AXIOMS, format="turtle")
    cv_classes = {c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(CV))}
    g, errors = closure(g)
    assert errors == []
    assert not [c for c in cv_classes if (c, RDF.type, SKOS.Concept) in g]
    # no instance of a class becomes a concept, but those of cv:Axis (an axis is a concept of its contract)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert not [x for x in concepts if any((x, RDF.type, c) in g for c in cv_classes - {CV.Axis})]
    # and the alignment stays: a funding line is not claimed a schema:MonetaryGrant, nor a figure a qb:Observation
    assert not list(g.subjects(RDF.type, URIRef("https://schema.org/MonetaryGrant")))
    assert not list(g.subjects(RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))


def test_owlrl_flags_an_instance_that_breaks_each_disjointness_axiom():
    """One instance per owl:disjointWith axiom, in both of its classes: owlrl flags each one, by
    its IRI, and nothing else (an instance of one class only is fine)."""
    pairs = disjoint_pairs()
    assert len(pairs) >= 200          # the 22 classes that cannot share members, pairwise
    g = ontology()
    breaking = {}
    for i, (cls, other) in enumerate(pairs):
        x = URIRef(f"https://example.org/breaks/{i}")
        g.add((x, RDF.type, cls))
        g.add((x, RDF.type, other))
        breaking[str(x)] = (cls, other)
    fine = URIRef("https://example.org/fine")
    g.add((fine, RDF.type, pairs[0][0]))
    _, errors = closure(g)
    flagged = {x for x in breaking if any(e.endswith(" " + x) for e in errors)}   # "… have a common individual <x>"
    assert flagged == set(breaking), sorted(set(breaking) - flagged)[:5]
    assert not [e for e in errors if str(fine) in e]


def test_the_ontology_is_owl_2_dl_in_its_property_kinds_and_versioned():
    g = ontology()
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for p in set(g.subjects(RDF.type, None)):
        mine = [k for k in kinds if (p, RDF.type, k) in g]
        assert len(mine) <= 1, (p, mine)          # no property of two kinds
    assert (CV.flag, RDF.type, OWL.AnnotationProperty) in g
    assert g.value(CV.flag, RDFS.subPropertyOf) == SKOS.editorialNote   # an annotation under an annotation
    for sub, sup in g.subject_objects(RDFS.subPropertyOf):              # no datatype property under an annotation one
        if sup == SKOS.editorialNote or (sup, RDF.type, OWL.AnnotationProperty) in g:
            assert (sub, RDF.type, OWL.AnnotationProperty) in g, sub
    me = URIRef("https://w3id.org/cvgraph/ontology")
    assert str(g.value(me, OWL.versionIRI)).startswith(str(me) + "/")
    assert g.value(me, URIRef("http://purl.org/dc/terms/modified")) is not None
    assert not [c for c in g.subjects(RDF.type, OWL.Class) if list(g.objects(c, SKOS.closeMatch))]
    # the properties that only one class holds in the data say so
    for prop, cls in ((CV.heading, CV.FundingLine), (CV.dateText, CV.Event), (CV.referenceCode, CV.Territory)):
        assert g.value(prop, RDFS.domain) == cls


def test_every_resource_with_a_source_is_derived_from_it_in_prov(built):
    from cvgraph.graph import load_store

    store = load_store(built)
    missing = list(store.query("""
        SELECT ?s ?d WHERE { ?s <http://purl.org/dc/terms/source> ?d
          FILTER NOT EXISTS { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?d } } LIMIT 5"""))
    assert missing == []
    assert len(list(store.query(f"SELECT ?s WHERE {{ ?s <{PROV.wasDerivedFrom}> ?d }}"))) > 1000


def test_labels_are_in_the_language_they_say(built):
    from cvgraph.graph import load_store

    store = load_store(built)
    english = [r["l"].value for r in store.query("""
        SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "fr")
          FILTER(REGEX(?l, "^pilot |\\\\(orientation [0-9]+\\\\)$")) }""")]
    assert english == []
