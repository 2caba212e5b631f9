"""The description of the published dataset: VoID for linked-data clients and DCAT-AP 3.0.1 for
data portals (`void.ttl`).

A catalogue holds the dataset; the dataset has one distribution per dump (each with its access and
download URL, IANA media type, EU file type and, for the gzip files, compression format) and, only
when a SPARQL endpoint serves the data (`publish --sparql-endpoint URL`, or `cvgraph serve`), a
distribution accessed through that service. Dates, version, publisher and themes come from the
release record of the data folder (`data/release.yaml`, kept in the build), never from the clock, so
two publishes of the same data write the same bytes. Every IRI used as a value is typed with the
class DCAT-AP's range rules expect (a media type, a linguistic system, a licence document…).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from .sheets import Node, optional, read_yaml, require

RELEASE_FILE = "release.yaml"
DCAT_AP = URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.1/")
LICENCE = URIRef("http://spdx.org/licenses/etalab-2.0")   # the SPDX licence IRI of the Licence Ouverte 2.0
LICENCE_PAGE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
LINK_NAMES = {str(OWL.sameAs): "même ressource", str(RDFS.seeAlso): "documents"}
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ONTOLOGY = URIRef("https://w3id.org/cvgraph/ontology")
# dump extension -> (title, IANA media type, EU file type)
DUMPS = {"ttl": ("Graphe complet en Turtle", "text/turtle", "RDF_TURTLE"),
         "nt": ("Graphe complet en N-Triples", "application/n-triples", "RDF_N_TRIPLES"),
         "jsonld": ("Graphe complet en JSON-LD", "application/ld+json", "JSON_LD")}
THEMES = {"REGI": ("Régions et villes", "Regions and cities"), "SOCI": ("Population et société", "Population and society"),
          "GOVE": ("Gouvernement et secteur public", "Government and public sector"),
          "ECON": ("Économie et finances", "Economy and finance")}


def read_release(data_dir: Path) -> dict:
    """The release record of a data folder as plain values ({} when the folder has none); a wrong
    field is a SourceError naming file, line and field."""
    path = Path(data_dir) / RELEASE_FILE
    if not path.is_file():
        return {}
    root = read_yaml(path)
    if not isinstance(root, Node):
        return {}
    out = {"version": str(require(root, "version", (str, int, float)))}
    for key in ("issued", "modified"):
        value = require(root, key, dt.date)
        out[key] = value.isoformat()
    if out["modified"] < out["issued"]:
        raise root.error("modified is before issued", "modified")
    publisher = optional(root, "publisher", Node)
    if publisher is not None:
        out["publisher"] = {"name": require(publisher, "name")}
        if "url" in publisher:
            out["publisher"]["url"] = _web(publisher, "url")
    contact = optional(root, "contact", Node)
    if contact is not None:
        if "email" not in contact and "url" not in contact:
            raise contact.error("a contact gives an email or a url", "email")
        out["contact"] = {k: (_web(contact, k) if k == "url" else require(contact, k)) for k in ("email", "url")
                          if k in contact}
    themes = optional(root, "themes", list, [])
    for theme in themes:
        if theme not in THEMES:
            raise root.error(f"unknown theme {theme!r} (one of {', '.join(THEMES)})", "themes")
    out["themes"] = list(themes)
    return out


def _web(node: Node, key: str) -> str:
    value = require(node, key)
    if not value.startswith(("http://", "https://")):
        raise node.error("expected an http(s) address", key)
    return value


def describe(base: str, counts: dict, release: dict, *, publisher: str | None = None, endpoint: str | None = None,
             examples=(), period: tuple[int, int] | None = None,
             linksets: dict[tuple[str, str], int] | None = None) -> Graph:
    """The VoID and DCAT-AP description of the dataset published at `base`."""
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("void", VOID), ("skos", SKOS),
                       ("vcard", VCARD), ("xsd", XSD)):
        g.bind(prefix, ns)
    void = base + "void#"
    catalog, dataset, record = URIRef(void + "catalog"), URIRef(void + "dataset"), URIRef(void + "record")
    agent = URIRef(void + "publisher")
    fr = lambda text: Literal(text, lang="fr")   # noqa: E731
    en = lambda text: Literal(text, lang="en")   # noqa: E731
    landing = URIRef(base + "index.html")
    french = URIRef(EU + "language/FRA")

    g.add((agent, RDF.type, FOAF.Agent))
    name = publisher or release.get("publisher", {}).get("name") or "cvgraph"
    g.add((agent, FOAF.name, Literal(name)))
    if release.get("publisher", {}).get("url"):
        g.add((agent, FOAF.homepage, URIRef(release["publisher"]["url"])))
    g.add((french, RDF.type, DCTERMS.LinguisticSystem))
    g.add((landing, RDF.type, FOAF.Document))
    g.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENCE, SKOS.prefLabel, fr("Licence Ouverte 2.0 (etalab-2.0)")))
    g.add((LICENCE, SKOS.prefLabel, en("Open Licence 2.0 (etalab-2.0)")))
    g.add((LICENCE, FOAF.page, LICENCE_PAGE))
    attribution = URIRef("http://purl.org/adms/licencetype/Attribution")   # etalab-2.0 asks to name the source
    g.add((LICENCE, DCTERMS.type, attribution))
    g.add((attribution, RDF.type, SKOS.Concept))
    g.add((attribution, SKOS.prefLabel, en("Attribution")))
    g.add((LICENCE_PAGE, RDF.type, FOAF.Document))
    for standard, title in ((DCAT_AP, "DCAT-AP 3.0.1"), (ONTOLOGY, "Ontologie cvgraph")):
        g.add((standard, RDF.type, DCTERMS.Standard))
        g.add((standard, DCTERMS.title, Literal(title)))

    # the catalogue
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, fr("Catalogue cvgraph : contrats de ville")))
    g.add((catalog, DCTERMS.title, en("cvgraph catalogue: French city contracts")))
    g.add((catalog, DCTERMS.description, fr("Les jeux de données publiés par cvgraph : les contrats de ville en "
                                            "données liées, leur description et leur point d’accès SPARQL.")))
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, DCTERMS.language, french))
    g.add((catalog, DCTERMS.license, LICENCE))
    g.add((catalog, FOAF.homepage, landing))
    g.add((catalog, DCTERMS.spatial, URIRef(EU + "country/FRA")))
    g.add((catalog, DCAT.dataset, dataset))
    for key, prop in (("issued", DCTERMS.issued), ("modified", DCTERMS.modified)):
        if key in release:
            g.add((catalog, prop, Literal(release[key], datatype=XSD.date)))

    # the record of the dataset in the catalogue, with the metadata standard it follows (DCAT-AP
    # asks a record for its date: none without a release record)
    if "modified" in release:
        g.add((catalog, DCAT.record, record))
        g.add((record, RDF.type, DCAT.CatalogRecord))
        g.add((record, FOAF.primaryTopic, dataset))
        g.add((record, DCTERMS.conformsTo, DCAT_AP))
        g.add((record, DCTERMS.modified, Literal(release["modified"], datatype=XSD.date)))
        g.add((record, DCTERMS.issued, Literal(release["issued"], datatype=XSD.date)))

    # the dataset
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, fr("Contrats de ville : graphe de connaissances")))
    g.add((dataset, DCTERMS.title, en("French city contracts: knowledge graph")))
    g.add((dataset, DCTERMS.description, fr(
        "Les contrats de ville de la politique de la ville en données liées : signataires, orientations "
        "stratégiques, actions, pilotes, services associés, instruments de financement et données chiffrées, "
        "chaque fait relié au document source et à sa ligne.")))
    g.add((dataset, DCTERMS.description, en(
        "French city contracts (urban policy) as linked data: signatories, strategic orientations, actions, "
        "pilots, associated services, financing instruments and figures, each fact linked to its source "
        "document and line.")))
    g.add((dataset, DCTERMS.publisher, agent))
    g.add((dataset, DCTERMS.license, LICENCE))
    g.add((dataset, DCTERMS.language, french))
    g.add((dataset, DCTERMS.conformsTo, ONTOLOGY))
    g.add((dataset, DCAT.landingPage, landing))
    for keyword in ("politique de la ville", "contrat de ville", "quartiers prioritaires"):
        g.add((dataset, DCAT.keyword, fr(keyword)))
    for key, prop in (("issued", DCTERMS.issued), ("modified", DCTERMS.modified)):
        if key in release:
            g.add((dataset, prop, Literal(release[key], datatype=XSD.date)))
    if "version" in release:
        g.add((dataset, URIRef(str(DCAT) + "version"), Literal(release["version"])))   # DCAT 3
    france = URIRef(EU + "country/FRA")
    g.add((france, RDF.type, DCTERMS.Location))
    g.add((dataset, DCTERMS.spatial, france))
    if period:
        when = URIRef(void + "period")
        g.add((when, RDF.type, DCTERMS.PeriodOfTime))
        g.add((when, DCAT.startDate, Literal(str(period[0]), datatype=XSD.gYear)))
        g.add((when, DCAT.endDate, Literal(str(period[1]), datatype=XSD.gYear)))
        g.add((dataset, DCTERMS.temporal, when))
    if release.get("themes"):
        scheme = URIRef(EU + "data-theme")
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCTERMS.title, en("Data theme")))
        g.add((catalog, DCAT.themeTaxonomy, scheme))
        for code in release["themes"]:
            theme = URIRef(f"{EU}data-theme/{code}")
            g.add((theme, RDF.type, SKOS.Concept))
            g.add((theme, SKOS.inScheme, scheme))
            g.add((theme, SKOS.prefLabel, fr(THEMES[code][0])))
            g.add((theme, SKOS.prefLabel, en(THEMES[code][1])))
            g.add((dataset, DCAT.theme, theme))
            if endpoint:
                g.add((URIRef(void + "sparql"), DCAT.theme, theme))
    if release.get("contact"):
        contact = URIRef(void + "contact")
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(name)))
        if "email" in release["contact"]:
            g.add((contact, VCARD.hasEmail, URIRef("mailto:" + release["contact"]["email"])))
        if "url" in release["contact"]:
            g.add((contact, VCARD.hasURL, URIRef(release["contact"]["url"])))
        g.add((dataset, DCAT.contactPoint, contact))

    # VoID: the statistics and how to get at the data
    for key, prop in (("triples", VOID.triples), ("resources", VOID.entities), ("subjects", VOID.distinctSubjects),
                      ("properties", VOID.properties), ("classes", VOID.classes)):
        g.add((dataset, prop, Literal(counts[key])))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    for vocabulary in ("https://w3id.org/cvgraph/ontology#", "http://www.w3.org/ns/org#",
                       "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for example in examples:
        g.add((dataset, VOID.exampleResource, URIRef(example)))

    # the links out: one linkset per target and predicate (owl:sameAs the same thing at its publisher,
    # rdfs:seeAlso a document about it)
    for n, ((predicate, host), count) in enumerate(sorted((linksets or {}).items()), start=1):
        linkset, target = URIRef(f"{void}links-{n}"), URIRef(host)
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, fr(f"Liens vers {host} ({LINK_NAMES.get(predicate, predicate)})")))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.triples, Literal(count)))
        g.add((dataset, VOID.subset, linkset))
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, FOAF.homepage, target))

    # the distributions: each dump, plain and gzip
    gzip = URIRef(IANA + "application/gzip")
    g.add((gzip, RDF.type, DCTERMS.MediaType))
    for ext, (title, media, file_type) in DUMPS.items():
        media_type, fmt = URIRef(IANA + media), URIRef(f"{EU}file-type/{file_type}")
        g.add((media_type, RDF.type, DCTERMS.MediaType))
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((dataset, VOID.dataDump, URIRef(f"{base}dump/cvgraph.{ext}")))
        for gz in ("", ".gz"):
            url = URIRef(f"{base}dump/cvgraph.{ext}{gz}")
            g.add((url, RDF.type, DCAT.Distribution))
            g.add((url, DCTERMS.title, fr(title + (" (gzip)" if gz else ""))))
            g.add((url, DCTERMS.description, fr(f"Le graphe entier en un fichier ({media}"
                                                 + (", compressé par gzip)." if gz else ")."))))
            g.add((url, DCAT.accessURL, url))
            g.add((url, DCAT.downloadURL, url))
            g.add((url, DCAT.mediaType, media_type))
            g.add((url, DCTERMS.format, fmt))
            g.add((url, DCTERMS.license, LICENCE))
            if gz:
                g.add((url, DCAT.compressFormat, gzip))
            g.add((dataset, DCAT.distribution, url))

    # the SPARQL endpoint, only when one serves the data
    if endpoint:
        service, access = URIRef(void + "sparql"), URIRef(void + "sparql-distribution")
        g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, fr("Point d’accès SPARQL 1.1 (lecture seule)")))
        g.add((service, DCAT.endpointURL, URIRef(endpoint)))
        g.add((service, DCAT.servesDataset, dataset))
        g.add((service, DCTERMS.license, LICENCE))
        g.add((service, DCTERMS.publisher, agent))
        g.add((service, DCAT.keyword, fr("SPARQL")))
        g.add((service, DCAT.endpointDescription, URIRef(base + "query.html")))
        sparql = URIRef("https://www.w3.org/TR/sparql11-protocol/")
        g.add((sparql, RDF.type, DCTERMS.Standard))
        g.add((service, DCTERMS.conformsTo, sparql))
        g.add((catalog, DCAT.service, service))
        g.add((access, RDF.type, DCAT.Distribution))
        g.add((access, DCTERMS.title, fr("Le graphe par son point d’accès SPARQL")))
        g.add((access, DCTERMS.description, fr("Requêtes SPARQL 1.1 en lecture seule sur le graphe entier.")))
        g.add((access, DCAT.accessURL, URIRef(endpoint)))
        g.add((access, DCAT.accessService, service))
        g.add((access, DCTERMS.license, LICENCE))
        g.add((dataset, DCAT.distribution, access))
    assert not any(isinstance(t, BNode) for triple in g for t in triple)   # no blank node: stable output
    return g
