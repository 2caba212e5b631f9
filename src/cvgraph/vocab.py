"""Namespaces of the cvgraph ontology, its concept schemes and the vocabularies it reuses."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD  # noqa: F401  (re-exported)


class CachedNamespace(Namespace):
    """An rdflib Namespace whose terms are made once: `CV.contract` costs a dict lookup instead of a
    new URIRef (1.3 µs, a few million times in a national build)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        term = self.term(name)
        self.__dict__[name] = term
        return term


CV = CachedNamespace("https://w3id.org/cvgraph/ontology#")
CVV = CachedNamespace("https://w3id.org/cvgraph/vocab/")
DEFAULT_BASE = "https://w3id.org/cvgraph/id/"

ORG = CachedNamespace("http://www.w3.org/ns/org#")
M8G = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FRAPO = Namespace("http://purl.org/cerif/frapo/")

PREFIXES = {
    "cv": CV, "cvv": CVV, "org": ORG, "m8g": M8G, "schema": SCHEMA, "qb": QB, "eli": ELI,
    "frapo": FRAPO, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV, "owl": OWL, "rdfs": RDFS,
    "xsd": XSD, "foaf": Namespace("http://xmlns.com/foaf/0.1/"), "void": Namespace("http://rdfs.org/ns/void#"),
}

# Controlled values used in the sheets; each is a SKOS concept <CVV>/<scheme>/<value> in the ontology.
SCHEMES = {
    "funding-kind": ("droit-commun", "specifique", "non-precise"),
    "role": ("pilot", "service", "participant"),
    "unit": ("percent", "persons", "count", "euro", "establishments", "trains", "trips", "ratio",
             "neighbourhoods"),
    "generation": ("contrats-de-ville-2015", "engagements-quartiers-2030"),
    "axis-kind": ("axe", "pilier", "axe-transversal"),
    "governance-kind": ("comite-de-pilotage", "comite-technique", "groupe-de-travail",
                        "comite-thematique", "conseil-citoyen"),
    "organisation-kind": ("state", "state-service", "local-authority", "public-body",
                          "social-landlord", "association", "company", "unit", "group", "programme",
                          "unresolved"),
    "instrument-type": ("programme-budgetaire", "fonds-europeen", "fonds", "appel-a-projets",
                        "aide-financiere", "pret", "avantage-fiscal", "contrat-aide",
                        "plan-ou-programme", "dispositif"),
    "territory-kind": ("qpv", "commune", "intercommunality", "urban-unit", "aggregate", "country", "arrondissement",
                       "departement", "ctcd", "region"),
    "agreement-kind": ("convention", "charte", "plan-local", "projet-territorial", "protocole", "avenant"),
    "document-kind": ("contract-text", "web-page", "reference-data"),
}

# How a label of the data names a controlled value within a phrase ("Pilote : …", "(droit commun, O5)").
PHRASES = {
    "funding-kind": {"droit-commun": "droit commun", "specifique": "crédits spécifiques",
                     "non-precise": "nature non précisée"},
    "role": {"pilot": "pilote", "service": "service associé", "participant": "participant"},
}


def french_text(g, s, p=RDFS.label) -> str | None:
    """The French value of `p` on `s` (else the first other value, in a stable order), or None."""
    values = sorted(g.objects(s, p), key=lambda v: (getattr(v, "language", None) != "fr", str(v)))
    return str(values[0]) if values else None


def concept(scheme: str, value: str):
    return CVV[f"{scheme}/{value}"]
