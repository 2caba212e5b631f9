"""Compiling the registries and contract sheets of `data/` into one RDF graph.

Every resource gets readable, stable URIs under the base IRI (`contract/<id>`,
`contract/<id>/orientation/<n>`, `organisation/<id>`, `instrument/<id>`…) and says where it comes
from: `dcterms:source` the document, `cv:sourceLine` the line. Whatever the text leaves unclear is
kept as written and carries a `cv:flag`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from rdflib import Literal, URIRef

from .errors import SourceError
from .names import slugify
from .registry import Registries, check_source, load_registries
from .resolve import Resolver, Scope
from .sheets import Node, mappings, optional, read_yaml, require
from .vocab import CV, ORG, PHRASES, SCHEMES, CachedNamespace, concept
from .vocab import DCTERMS as _DCTERMS, OWL as _OWL, PROV as _PROV, RDF as _RDF, RDFS as _RDFS, SKOS as _SKOS, XSD as _XSD

# rdflib's closed namespaces check each name on every use; here, in the build's inner loop, their
# terms are made once
DCTERMS, RDF, RDFS, SKOS, XSD, OWL, PROV = (CachedNamespace(str(ns)) for ns in (_DCTERMS, _RDF, _RDFS, _SKOS, _XSD,
                                                                                _OWL, _PROV))

_ORG_CLASS = {
    "state": CV.PublicOrganisation, "state-service": CV.PublicOrganisation,
    "local-authority": CV.PublicOrganisation, "public-body": CV.PublicOrganisation,
    "group": CV.OrganisationGroup, "unresolved": CV.Organisation,
}
_TERRITORY_CLASS = {"qpv": CV.PriorityNeighbourhood, "commune": CV.Commune,
                    "intercommunality": CV.Intercommunality}


def decimal(value: int | float) -> Literal:
    """An xsd:decimal written "287.0", "47.4": with a decimal point, so that rdflib's Turtle writer
    does not turn it into an integer on the way back (pyoxigraph reads it as 287)."""
    text = format(Decimal(str(value)), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


class Compiler:
    """Turns validated source entries into triples of one graph."""

    def __init__(self, regs: Registries, base: str, resolver: Resolver, reference_doc: str | None = None):
        self.regs = regs
        self.base = base
        self.resolver = resolver
        self.reference_doc = reference_doc   # the documents-registry id of the administrative reference
        self.scope: Scope | None = None      # name resolution for the contract being compiled
        self._ordinals: dict = {}            # (orientation IRI, what, line) -> how many so far
        self.retired: dict = {}              # old IRI -> (new IRI, its entry), from data/retired.yaml
        self.specific_credits = specific_credits(regs)
        self.g = Triples()
        self._docs: dict[str, URIRef] = {}        # document id -> its IRI, once checked
        self._integers: dict[int, Literal] = {}

    # --- helpers --------------------------------------------------------------------------------
    def uri(self, *parts: str | int) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def org(self, ident: str) -> URIRef:
        return self.uri("organisation", ident)

    def add(self, s, p, o) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def provenance(self, s: URIRef, node: Node, default_doc: str | None, line_key: str = "line") -> None:
        doc = optional(node, "document", str, default_doc) if default_doc else require(node, "document")
        doc_uri = self._docs.get(doc)
        if doc_uri is None:
            self.regs.documents.check_ref(doc, node, "document")
            doc_uri = self._docs[doc] = self.uri("document", doc)
        line = require(node, line_key, int)
        self.derived(s, doc_uri)
        self.add(s, CV.sourceLine, self.integer(line))

    def derived(self, s: URIRef, doc: URIRef) -> None:
        """The document a resource comes from: dcterms:source, and PROV's wasDerivedFrom."""
        self.add(s, DCTERMS.source, doc)
        self.add(s, PROV.wasDerivedFrom, doc)

    def area(self, dimension: str, code: str) -> URIRef:
        """A territory of the administrative reference (`territory/<dimension>-<code>`), described
        once from the reference: its name, code and the larger territories it lies in."""
        s = self.uri("territory", f"{dimension}-{code.lower()}")
        if (s, RDF.type, CV.Territory) in self.g:
            return s
        a = self.resolver.ref.area(dimension, code)
        self.add(s, RDF.type, CV.Territory)
        kind = {"commune": "commune", "epci": "intercommunality"}.get(dimension, dimension)
        self.add(s, RDF.type, _TERRITORY_CLASS.get(kind, CV.Territory))
        self.add(s, CV.territoryKind, concept("territory-kind", kind))
        self.add(s, RDFS.label, fr(a.name))
        self.add(s, CV.referenceCode, Literal(code))
        self.add(s, DCTERMS.identifier, Literal(code))
        self.official_link(s, dimension, code)
        siren = self.siren_of(dimension, code)
        if siren:
            self.add(s, CV.siren, Literal(siren))
        if self.reference_doc:
            self.derived(s, self.uri("document", self.reference_doc))
        return s

    def official_link(self, s: URIRef, dimension: str, code: str) -> None:
        """The official resources of a code (data/reference/links.yaml): `owl:sameAs` the same thing
        described by its publisher, `rdfs:seeAlso` a document about it."""
        for predicate, link in self.resolver.ref.links_of(dimension, code):
            self.add(s, OWL.sameAs if predicate == "owl:sameAs" else RDFS.seeAlso, URIRef(link))

    def collectivite(self, s: URIRef, dimension: str, code: str) -> None:
        """A commune's or an EPCI's collectivité: its SIREN, as `cv:siren` and as an identifier,
        linked to its entry in the directory of legal units."""
        siren = self.siren_of(dimension, code)
        if siren:
            self.add(s, CV.siren, Literal(siren))
            self.add(s, DCTERMS.identifier, Literal(siren))
            self.official_link(s, "siren", siren)

    def siren_of(self, dimension: str, code: str) -> str | None:
        """The SIREN of the collectivité of a commune or an EPCI, from the reference."""
        if dimension == "epci":
            return code
        if dimension == "commune":
            return self.resolver.ref.communes[code]["siren"] or None
        return None

    def ordinal(self, holder: URIRef, what: str, line: int) -> str:
        """`<line>-<k>`: the k-th resource of its kind that a holder takes from one source line. An
        IRI made of it does not change when a fact of the resource (a kind, an instrument, a role)
        is corrected."""
        key = (holder, what, line)
        self._ordinals[key] = k = self._ordinals.get(key, 0) + 1
        return f"{line}-{k}"

    def bodies(self, made: dict) -> None:
        """The organisations name resolution made for a contract: bodies a kind's rule found in the
        reference, and the contract's placeholders for generic names it could not resolve."""
        for ident, b in sorted(made.items()):
            s = self.org(ident)
            if (s, RDF.type, CV.Organisation) in self.g:
                continue
            self.add(s, RDF.type, CV.Organisation)
            self.add(s, RDF.type, _ORG_CLASS.get(b.org_kind, CV.Organisation))
            self.add(s, CV.organisationKind, concept("organisation-kind", b.org_kind))
            self.add(s, RDFS.label, fr(b.label))
            self.add(s, SKOS.prefLabel, fr(b.label))
            self.add(s, DCTERMS.identifier, Literal(ident))
            self.add(s, CV.bodyKind, Literal(b.kind.kind))
            if b.contract:   # a placeholder, or a proposed body: this contract's only
                self.add(s, RDF.type, CV.UnresolvedName)
                self.add(s, CV.unresolved, Literal(True))
                self.add(s, CV.flag, fr(b.flag))
                self.add(s, CV.placeholderFor, self.uri("contract", b.contract))
                if b.proposed:
                    self.add(s, CV.toValidate, Literal(True))
                continue
            self.add(s, CV.covers, self.area(b.dimension, b.code))
            if b.kind.kind in ("commune", "intercommunalite"):
                self.collectivite(s, b.dimension, b.code)
            self.add(s, CV.basis, fr(b.kind.basis))
            if b.kind.part_of and b.kind.part_of in self.regs.organisations:
                self.add(s, ORG.subOrganizationOf, self.org(b.kind.part_of))
            if self.reference_doc:
                self.derived(s, self.uri("document", self.reference_doc))

    def integer(self, n: int) -> Literal:
        """An xsd:integer literal; the small ones (lines, ranks, counts) made once."""
        lit = self._integers.get(n)
        if lit is None:
            lit = Literal(n)
            if type(n) is int and -1 < n < 100_000:
                self._integers[n] = lit
        return lit

    def confidence(self, s: URIRef, node: Node) -> None:
        """An item `cvgraph ingest` read with low confidence is built "à valider" (cv:toValidate, with
        the reason as a flag) until a person confirms it by removing `confidence` from the sheet."""
        level = optional(node, "confidence", str)
        if level is None:
            return
        if level not in ("low", "medium", "high"):
            raise node.error(f"{level!r} is not one of low, medium, high", "confidence")
        self.add(s, CV.confidence, Literal(level))
        if level == "low":
            self.add(s, CV.toValidate, Literal(True))
            self.add(s, CV.flag, fr("À valider (lu par cvgraph ingest avec une confiance faible) : "
                                    + optional(node, "confidence_note", str, "raison non donnée.")))

    def notes(self, s: URIRef, node: Node) -> None:
        if optional(node, "inferred", bool, False):   # what the text implies but does not write
            if not optional(node, "flag", str):
                raise node.error("an inferred fact needs a flag saying what it is inferred from", "inferred")
            self.add(s, CV.inferred, Literal(True))
        for key in ("flag", "note"):
            text = optional(node, key, str)
            if text:
                self.add(s, CV.flag if key == "flag" else SKOS.editorialNote, fr(text))

    def controlled(self, node: Node, key: str, scheme: str, default: str | None = None) -> URIRef:
        value = optional(node, key, str, default) if default is not None else require(node, key)
        if value not in SCHEMES[scheme]:
            raise node.error(f"{value!r} is not one of {', '.join(SCHEMES[scheme])}", key)
        return concept(scheme, value)

    def label(self, s: URIRef, node: Node, key: str = "label", prop=RDFS.label) -> str:
        text = require(node, key)
        self.add(s, prop, fr(text))
        if "label_en" in node and key == "label":
            self.add(s, prop, Literal(require(node, "label_en"), lang="en"))
        return text

    # --- registries -----------------------------------------------------------------------------
    def documents(self) -> None:
        for ident, e in sorted(self.regs.documents.entries.items()):
            s = self.uri("document", ident)
            self.add(s, RDF.type, CV.SourceDocument)
            self.add(s, DCTERMS.title, fr(require(e, "title")))
            self.add(s, RDFS.label, fr(require(e, "title")))
            self.add(s, CV.fileName, Literal(require(e, "file")))
            self.add(s, DCTERMS.identifier, Literal(ident))
            self.add(s, CV.documentKind, self.controlled(e, "kind", "document-kind"))
            self.add(s, CV.sha256, Literal(require(e, "sha256")))
            if "publisher" in e:
                self.add(s, DCTERMS.publisher, self.org(e["publisher"]))
            rights = optional(e, "rights", Node)
            self.add(s, CV.republishable, Literal(bool(rights and rights["republish"])))
            if rights:
                self.add(s, DCTERMS.rights, fr(require(rights, "statement")))
            for i, r in enumerate(mappings(e, "redactions"), start=1):
                x = self.uri("document", ident, "redaction", i)
                self.add(s, CV.redaction, x)
                self.add(x, RDF.type, CV.Redaction)
                self.add(x, CV.line, self.integer(require(r, "line", int)))
                for key in ("after", "before"):
                    if optional(r, key, str):
                        self.add(x, CV[key], Literal(r[key]))
                if optional(r, "reason", str):
                    self.add(x, CV.reason, fr(r["reason"]))

    def organisations(self) -> None:
        for ident, e in sorted(self.regs.organisations.entries.items()):
            s = self.org(ident)
            kind = require(e, "kind")
            self.add(s, RDF.type, CV.Organisation)
            self.add(s, RDF.type, _ORG_CLASS.get(kind, CV.Organisation))
            self.add(s, CV.organisationKind, self.controlled(e, "kind", "organisation-kind"))
            self.label(s, e)
            self.add(s, SKOS.prefLabel, fr(e["label"]))
            self.add(s, DCTERMS.identifier, Literal(ident))
            # local names too: spellings of the body, though they name it only inside its territory
            for name in sorted(set(optional(e, "names", list, []) + optional(e, "local_names", list, [])) - {e["label"]}):
                self.add(s, SKOS.altLabel, fr(name))
            if "part_of" in e:
                self.add(s, ORG.subOrganizationOf, self.org(e["part_of"]))
            for member in optional(e, "members", list, []):
                self.add(s, CV.groupMember, self.org(member))
            if "stated_members" in e:
                self.add(s, CV.statedMemberCount, Literal(require(e, "stated_members", int)))
            t = self.resolver.territories.get(ident)
            if t is not None:
                self.add(s, CV.covers, self.area(t.dimension, t.code))
                if "body" in e and e["body"].get("kind") in ("commune", "intercommunalite"):
                    self.collectivite(s, t.dimension, t.code)   # the commune or EPCI itself
            if "body" in e:
                self.add(s, CV.bodyKind, Literal(e["body"]["kind"]))
            if optional(e, "proposed", bool, False):   # added by `cvgraph ingest --into`, to be confirmed
                self.add(s, CV.toValidate, Literal(True))
                self.add(s, CV.flag, fr("À valider : organisme proposé par cvgraph ingest (nom que les registres "
                                        "ne connaissaient pas) ; nature, nom exact et territoire à confirmer."))
            if optional(e, "unresolved", bool, False):
                self.add(s, RDF.type, CV.UnresolvedName)
                self.add(s, CV.unresolved, Literal(True))
                self.add(s, CV.flag, fr(optional(e, "note", str, "Nom non résolu dans les documents.")))
            else:
                self.notes(s, e)
            self.provenance(s, e["source"], None)

    def instruments(self) -> None:
        for ident, e in sorted(self.regs.instruments.entries.items()):
            s = self.uri("instrument", ident)
            self.add(s, RDF.type, CV.FinancingInstrument)
            self.label(s, e)
            self.add(s, DCTERMS.identifier, Literal(ident))
            for name in sorted(set(optional(e, "names", list, [])) - {e["label"]}):
                self.add(s, SKOS.altLabel, fr(name))
            self.add(s, CV.instrumentType, self.controlled(e, "type", "instrument-type"))
            if "provider" in e:
                self.add(s, CV.provider, self.org(e["provider"]))
            if "programme" in e:
                self.add(s, CV.programme, self.uri("instrument", e["programme"]))
            if ident in self.specific_credits:
                self.add(s, CV.specificCredit, Literal(True))
            self.notes(s, e)
            self.provenance(s, e["source"], None)

    def territories(self) -> None:
        for ident, e in sorted(self.regs.territories.entries.items()):
            s = self.uri("territory", ident)
            kind = require(e, "kind")
            self.add(s, RDF.type, CV.Territory)
            self.add(s, RDF.type, _TERRITORY_CLASS.get(kind, CV.Territory))
            self.add(s, CV.territoryKind, self.controlled(e, "kind", "territory-kind"))
            self.label(s, e)
            for name in optional(e, "names", list, []):
                self.add(s, SKOS.altLabel, fr(name))
            if "part_of" in e:
                self.add(s, CV.partOfTerritory, self.uri("territory", e["part_of"]))
            if "governed_by" in e:
                self.add(s, CV.governedBy, self.org(e["governed_by"]))
            self.notes(s, e)
            self.provenance(s, e["source"], None)

    def agreements(self, path: Path) -> None:
        root = read_yaml(path)
        if not isinstance(root, Node) or "agreements" not in root:
            raise SourceError("expected a mapping with an 'agreements' list", file=path, line=1)
        seen = set()
        for e in mappings(root, "agreements", required=True):
            ident = require(e, "id")
            if ident in seen:
                raise e.error(f"duplicate agreement id {ident!r}", "id")
            seen.add(ident)
            s = self.uri("agreement", ident)
            self.add(s, RDF.type, CV.Agreement)
            self.label(s, e)
            self.add(s, CV.agreementKind, self.controlled(e, "kind", "agreement-kind"))
            for party in optional(e, "parties", list, []):
                self.add(s, CV.party, self.org(self.regs.organisations.check_ref(party, e, "parties")))
            for key, prop in (("text", RDFS.comment), ("period_text", CV.periodText)):
                if key in e:
                    self.add(s, prop, fr(require(e, key)))
            self._dates(s, e)
            if "amends" in e:
                self.add(s, CV.amends, self.uri("contract", require(e, "amends")))
            self.notes(s, e)
            check_source(e, self.regs)
            self.provenance(s, e["source"], None)
            for i, grant in enumerate(mappings(e, "grants"), start=1):
                self._grant(s, ident, i, grant, e["source"]["document"])

    def _grant(self, agreement: URIRef, ident: str, i: int, e: Node, doc: str) -> None:
        s = self.uri("agreement", ident, "grant", i)
        self.add(s, RDF.type, CV.Grant)
        self.add(s, CV.agreement, agreement)
        funder = self.regs.organisations.check_ref(require(e, "funder"), e, "funder")
        self.add(s, CV.funder, self.org(funder))
        for b in require(e, "beneficiaries", list):
            self.add(s, CV.beneficiary, self.org(self.regs.organisations.check_ref(b, e, "beneficiaries")))
        if "partner" in e:
            self.add(s, CV.partner, self.org(self.regs.organisations.check_ref(e["partner"], e, "partner")))
        purpose = require(e, "purpose")
        self.add(s, CV.purpose, fr(purpose))
        self.add(s, RDFS.label, fr(purpose))
        self.add(s, CV.field, fr(require(e, "field")))
        self.provenance(s, e, doc)

    def _dates(self, s: URIRef, e: Node) -> None:
        for key, prop in (("date", DCTERMS.date), ("start", CV.startDate)):
            if key in e:
                value = e[key]
                if not isinstance(value, dt.date):
                    raise e.error("expected a date written YYYY-MM-DD", key)
                self.add(s, prop, Literal(value, datatype=XSD.date))
        for key, prop in (("start_year", CV.startYear), ("end_year", CV.endYear), ("year", CV.year)):
            if key in e:
                year = require(e, key, int)
                if not 1900 <= year <= 2100:
                    raise e.error("expected a year between 1900 and 2100", key)
                self.add(s, prop, Literal(str(year), datatype=XSD.gYear))

    # --- contracts ------------------------------------------------------------------------------
    def contract(self, path: Path) -> str:
        e = read_yaml(path)
        if not isinstance(e, Node):
            raise SourceError("a contract sheet must be a mapping", file=path, line=1)
        cid = require(e, "id")
        if slugify(cid) != cid:
            raise e.error("contract ids are lower-case words joined by '-'", "id")
        if path.stem != cid:
            raise e.error(f"the file must be named {cid}.yaml", "id")
        if "amends" in e:
            return self.amendment(path, e, cid)
        doc = self.regs.documents.check_ref(require(e, "document"), e, "document")
        c = self.uri("contract", cid)
        if (c, RDF.type, CV.Contract) in self.g:
            raise e.error(f"duplicate contract id {cid!r}", "id")
        self.add(c, RDF.type, CV.Contract)
        self.add(c, DCTERMS.identifier, Literal(cid))
        self.label(c, e, "title")
        self.add(c, DCTERMS.title, fr(e["title"]))
        if "title_en" in e:
            self.add(c, RDFS.label, Literal(require(e, "title_en"), lang="en"))
        self.add(c, CV.generation, self.controlled(e, "generation", "generation"))
        self.derived(c, self.uri("document", doc))
        self.add(c, CV.sourceLine, Literal(require(e, "start_line", int) if "start_line" in e else 1))
        self._dates(c, e)
        if "duration_note" in e:
            self.add(c, SKOS.editorialNote, fr(require(e, "duration_note")))
        self.notes(c, e)
        date = contract_date(e)
        place = self.resolver.place(e, date)
        self.scope = self.resolver.scope(cid, place, date)
        for dimension, codes in sorted(place.stated.items()):
            for code in sorted(codes):
                self.add(c, CV.place, self.area(dimension, code))
        for code in sorted(place.communes):
            self.add(c, CV.place, self.area("commune", code))
        pilot = self.scope.resolve(require(e, "pilot"), e, "pilot")
        self.add(c, CV.pilotOrganisation, self.org(pilot))
        self._territories = [self.regs.territories.check_ref(t, e, "territories") for t in require(e, "territories", list)]
        for t in self._territories:
            self.add(c, CV.territory, self.uri("territory", t))
        if "successor" in e:
            self.add(c, CV.successor, self.uri("contract", require(e, "successor")))
        self._signature(c, e)
        for key in ("stated_signatory_count",):
            if key in e:
                self.add(c, CV.statedSignatoryCount, Literal(require(require(e, key, Node), "value", int)))
        for key, kind in (("protocol", "article"), ("principles", "principle"), ("priorities", "priority")):
            for i, item in enumerate(mappings(e, key), start=1):
                s = self.uri("contract", cid, kind, optional(item, "number", int, i))
                self.add(s, RDF.type, CV.Article if kind == "article" else CV.Statement)
                self.add(s, CV.contract, c)
                self.add(s, CV.rank, self.integer(i))
                self.add(s, RDFS.label, fr(require(item, "text")))
                if kind != "article":
                    self.add(s, CV.statementKind, Literal(kind))
                self.notes(s, item)
                self.provenance(s, item, doc)
        for i, item in enumerate(mappings(e, "events"), start=1):
            s = self.uri("contract", cid, "event", i)
            self.add(s, RDF.type, CV.Event)
            self.add(s, CV.contract, c)
            self.add(s, RDFS.label, fr(require(item, "text")))
            self.add(s, CV.dateText, Literal(require(item, "date_text")))
            if "written" in item:
                self.add(s, CV.asWritten, fr(require(item, "written")))
            self.notes(s, item)
            self.provenance(s, item, doc)
        for key in ("orientations_note", "signatories_note", "principles_note", "pillars_note"):
            if key in e:
                self.add(c, SKOS.editorialNote, fr(require(e, key)))
        axes = self._axes(c, cid, e, doc)
        for o in mappings(e, "orientations"):
            self._orientation(c, cid, o, axes, doc, optional(e, "axes_note", str))
        numbers = [o["number"] for o in mappings(e, "orientations")]
        if len(numbers) != len(set(numbers)):
            dup = next(n for n in numbers if numbers.count(n) > 1)
            raise e.error(f"orientation number {dup} appears twice", "orientations")
        for s_entry in mappings(e, "signatories"):
            self._signatory(c, cid, s_entry, doc)
        for i, ind in enumerate(mappings(e, "indicators"), start=1):
            self._indicator(c, cid, i, ind, set(numbers), doc)
        for g in mappings(e, "governance"):
            self._governance(c, cid, g, axes, doc)
        if "evaluation" in e:
            ev = require(e, "evaluation", Node)
            s = self.uri("contract", cid, "evaluation")
            self.add(s, RDF.type, CV.Evaluation)
            self.add(s, CV.contract, c)
            self.add(s, CV.year, Literal(str(require(ev, "year", int)), datatype=XSD.gYear))
            self.add(s, RDFS.label, fr(require(ev, "text")))
            self.provenance(s, ev, doc)
        for fig in mappings(e, "territory_figures"):
            self._observation(self.uri("contract", cid, "figure", self.ordinal(c, "figure", require(fig, "line", int))),
                              c, None, fig, {}, doc)
        for i, p in enumerate(mappings(e, "participants"), start=1):
            s = self.uri("contract", cid, "participant", i)
            self.add(s, RDF.type, CV.Participation)
            self.add(s, CV.contract, c)
            self.add(s, CV.participant, self.org(self.regs.organisations.check_ref(require(p, "org"), p, "org")))
            self.add(s, CV.role, concept("role", "participant"))
            self.add(s, RDFS.comment, fr(require(p, "role")))
            self.provenance(s, p, doc)
        for related in optional(e, "related", list, []):
            self.add(c, DCTERMS.relation, self.uri("agreement", related))
        self.bodies(self.scope.made)
        return cid

    def amendment(self, path: Path, e: Node, aid: str) -> str:
        """An amendment (avenant) of a contract: `amends: <contract id>`. Not a new contract, a
        revision of that one: an agreement of kind avenant (`contract/<id>/amendment/<aid>`) that
        amends it, whose pilots, services, funding lines, objectives and actions are added to the
        contract's own orientations (by number), each citing the amendment's document and line and
        linked to the amendment (cv:fromAmendment). Names resolve in the contract's place; the
        amendment's date is its own when it states one."""
        target = require(e, "amends")
        sheet = Path(path).parent / f"{target}.yaml"
        if slugify(target) != target or not sheet.is_file():
            raise e.error(f"amends an unknown contract {target!r} (no contracts/{target}.yaml)", "amends")
        te = read_yaml(sheet)
        if not isinstance(te, Node) or "amends" in te:
            raise e.error(f"{target!r} is not a contract that an amendment can amend", "amends")
        doc = self.regs.documents.check_ref(require(e, "document"), e, "document")
        c = self.uri("contract", target)
        a = self.uri("contract", target, "amendment", aid)
        self.add(a, RDF.type, CV.Agreement)
        self.add(a, RDF.type, CV.Amendment)
        self.add(a, DCTERMS.identifier, Literal(aid))
        self.label(a, e, "title")
        self.add(a, CV.agreementKind, concept("agreement-kind", "avenant"))
        self.add(a, CV.amends, c)
        self.derived(a, self.uri("document", doc))
        self.add(a, CV.sourceLine, Literal(require(e, "start_line", int) if "start_line" in e else 1))
        self._dates(a, e)
        self.notes(a, e)
        date = contract_date(e) or contract_date(te)
        self.scope = self.resolver.scope(target, self.resolver.place(te, contract_date(te)), date)
        self._territories = [self.regs.territories.check_ref(t, te, "territories") for t in optional(te, "territories", list, [])]
        numbers = {optional(o, "number", int) for o in mappings(te, "orientations")}
        base = f"{target}/amendment/{aid}"
        for o in mappings(e, "orientations"):
            n = require(o, "number", int)
            if n not in numbers:
                raise o.error(f"contract {target!r} has no orientation {n} (an amendment adds to the contract's "
                              "orientations)", "number")
            s = self.uri("contract", target, "orientation", n)
            before = len(self.g)
            for key, cls in (("objectives", CV.Objective), ("actions", CV.Action)):
                for i, item in enumerate(mappings(o, key), start=1):
                    x = self.uri("contract", base, "orientation", n, key[:-1], i)
                    self.add(x, RDF.type, cls)
                    self.add(x, CV.orientation, s)
                    self.add(x, RDFS.label, fr(require(item, "text")))
                    self.add(x, CV.fromAmendment, a)
                    self.provenance(x, item, doc)
            for key, role in (("pilots", "pilot"), ("services", "service")):
                for p in mappings(o, key):
                    self._participation(s, base, n, p, role, doc, amendment=a)
            for f in mappings(o, "funding"):
                self._funding(s, base, n, f, doc, amendment=a)
            if len(self.g) == before:
                raise o.error("an amended orientation needs what the amendment adds (pilots, services, funding, "
                              "objectives or actions)", "number")
        for sg in mappings(e, "signatories"):
            self.add(a, CV.party, self.org(self.resolve(require(sg, "org"), sg, "org")))
        self.bodies(self.scope.made)
        return aid

    def _signature(self, c: URIRef, e: Node) -> None:
        if "signature" not in e:
            return
        sig = require(e, "signature", Node)
        if "date" in sig:
            if not isinstance(sig["date"], dt.date):
                raise sig.error("expected a date written YYYY-MM-DD", "date")
            self.add(c, CV.signatureDate, Literal(sig["date"], datatype=XSD.date))
        elif "year_month" in sig:
            self.add(c, CV.signatureDate, Literal(require(sig, "year_month"), datatype=XSD.gYearMonth))
        else:
            self.add(c, CV.flag, fr(optional(sig, "note", str, "Date de signature non précisée.")))
        if "written" in sig:
            self.add(c, CV.signatureAsWritten, fr(sig["written"]))

    def _axes(self, c: URIRef, cid: str, e: Node, doc: str) -> dict[str, URIRef]:
        axes = {}
        for a in mappings(e, "axes"):
            aid = require(a, "id")
            if aid in axes:
                raise a.error(f"duplicate axis id {aid!r}", "id")
            s = axes[aid] = self.uri("contract", cid, "axis", aid)
            self.add(s, RDF.type, CV.Axis)
            self.add(s, CV.contract, c)
            self.label(s, a, "title")
            self.add(s, CV.title, fr(a["title"]))
            if "protocol_title" in a:
                self.add(s, CV.protocolTitle, fr(require(a, "protocol_title")))
            if "letter" in a:
                self.add(s, SKOS.notation, Literal(require(a, "letter")))
            if "written" in a:
                self.add(s, CV.asWritten, fr(require(a, "written")))
            self.add(s, CV.axisKind, self.controlled(a, "kind", "axis-kind", "axe"))
            self.notes(s, a)
            self.provenance(s, a, doc)
        return axes

    def _orientation(self, c: URIRef, cid: str, o: Node, axes: dict, doc: str,
                     axes_note: str | None = None) -> None:
        n = require(o, "number", int)
        s = self.uri("contract", cid, "orientation", n)
        self.add(s, RDF.type, CV.Orientation)
        self.add(s, CV.contract, c)
        self.add(s, CV.number, self.integer(n))
        title = self.label(s, o, "title")
        self.add(s, CV.title, fr(title))
        if "protocol_title" in o:
            self.add(s, CV.protocolTitle, fr(require(o, "protocol_title")))
        if "axis" in o:
            axis = require(o, "axis")
            if axis not in axes:
                raise o.error(f"unknown axis {axis!r}", "axis")
            self.add(s, CV.axis, axes[axis])
        elif axes_note:  # the text places the orientation in no axis: say so, do not guess one
            self.add(s, CV.axisNotStated, Literal(True))
            self.add(s, CV.flag, fr(axes_note))
        if "protocol_line" in o:
            self.add(s, CV.protocolLine, Literal(require(o, "protocol_line", int)))
        for key in ("actions_note", "pilots_note"):
            if key in o:
                self.add(s, SKOS.editorialNote, fr(require(o, key)))
        self.notes(s, o)
        self.provenance(s, o, doc)
        for key, cls in (("objectives", CV.Objective), ("actions", CV.Action)):
            for i, item in enumerate(mappings(o, key), start=1):
                x = self.uri("contract", cid, "orientation", n, key[:-1], i)
                self.add(x, RDF.type, cls)
                self.add(x, CV.orientation, s)
                self.add(x, CV.rank, self.integer(i))
                self.add(x, RDFS.label, fr(require(item, "text")))
                if "theme" in item:
                    self.add(x, CV.theme, fr(require(item, "theme")))
                self.provenance(x, item, doc)
        for key, role in (("pilots", "pilot"), ("services", "service")):
            for p in mappings(o, key):
                self._participation(s, cid, n, p, role, doc)
        if "data" in o:
            data = require(o, "data", Node)
            for ob in mappings(data, "observations"):
                self._observation(self.uri("contract", cid, "orientation", n, "observation",
                                           self.ordinal(s, "observation", require(ob, "line", int))),
                                  c, s, ob, data, doc)
            if optional(data, "empty", bool, False):
                self.add(s, CV.flag, fr(optional(data, "note", str, "Rubrique DONNÉES vide.")))
        for f in mappings(o, "funding"):
            self._funding(s, cid, n, f, doc)

    def _participation(self, o: URIRef, cid: str, n: int, p: Node, role: str, doc: str,
                       amendment: URIRef | None = None) -> None:
        if "orgs" in p:
            orgs = [self.scope.resolve(x, p, "orgs") for x in require(p, "orgs", list)]
            written = require(p, "written")
        else:
            written = require(p, "name")
            orgs = [self.resolve(written, p, "name")]
            written = optional(p, "written", str, written)
        line = require(p, "line", int)
        for org_id in orgs:
            s = self.uri("contract", cid, "orientation", n, "participation", self.ordinal(o, "participation", line))
            self.add(s, RDF.type, CV.Participation)
            self.add(s, CV.orientation, o)
            self.add(s, CV.participant, self.org(org_id))
            self.add(s, CV.role, concept("role", role))
            self.add(s, CV.asWritten, fr(written))
            self.add(s, RDFS.label, fr(f"{PHRASES['role'][role].capitalize()} : {self.scope.label(org_id)} (O{n})"))
            if amendment is not None:
                self.add(s, CV.fromAmendment, amendment)
            self.confidence(s, p)
            self.provenance(s, p, doc)

    def _funding(self, o: URIRef, cid: str, n: int, f: Node, doc: str, amendment: URIRef | None = None) -> None:
        funder = self.resolve(require(f, "funder"), f, "funder")
        self.controlled(f, "kind", "funding-kind")   # a known kind, or an error naming the line
        names = require(f, "instruments", list) if "instruments" in f else []
        proposed = set(optional(f, "proposed_instruments", list, []))
        instruments = list(dict.fromkeys(self.proposed_instrument(cid, x) if x in proposed else
                                         self.regs.instruments.resolve(x, f, "instruments") for x in names))
        written = require(f, "written")
        line = require(f, "line", int)
        for inst in instruments or [None]:
            s = self.uri("contract", cid, "orientation", n, "funding", self.ordinal(o, "funding", line))
            self.add(s, RDF.type, CV.FundingLine)
            self.add(s, CV.orientation, o)
            self.add(s, CV.funder, self.org(funder))
            effective = f["kind"]
            if f["kind"] == "non-precise" and inst in self.specific_credits:   # the heading does not say;
                effective = "specifique"                                        # the instrument does
                self.add(s, CV.kindInferred, Literal(True))
            elif optional(f, "inferred", bool, False) and "heading" in f:
                self.add(s, CV.kindInferred, Literal(True))   # the kind the reader inferred ("État (BOP 147) : …")
            self.add(s, CV.fundingKind, concept("funding-kind", effective))
            if inst:
                self.add(s, CV.instrument, inst if isinstance(inst, URIRef) else self.uri("instrument", inst))
            else:
                self.add(s, CV.withoutInstrument, Literal(True))
            self.add(s, CV.asWritten, fr(written))
            # a label to read: "État — DSIL (droit commun, O5)"
            shown = ((str(self.g.value(inst, RDFS.label)) if isinstance(inst, URIRef)   # a proposed one
                      else self.regs.instruments[inst]["label"]) if inst else "sans dispositif")
            self.add(s, RDFS.label, fr(f"{self.scope.label(funder)} — {shown} ({PHRASES['funding-kind'][effective]}, O{n})"))
            for key, prop in (("heading", CV.heading), ("purpose", CV.purpose), ("amount_note", CV.amountNote)):
                if key in f:
                    self.add(s, prop, fr(require(f, key)))
            if "amount" in f:
                self.add(s, CV.amount, decimal(require(f, "amount", (int, float))))
                self.add(s, CV.currency, Literal("EUR"))
            if amendment is not None:
                self.add(s, CV.fromAmendment, amendment)
            self.notes(s, f)
            self.confidence(s, f)
            self.provenance(s, f, doc)

    def _observation(self, s: URIRef, c: URIRef, o: URIRef | None, ob: Node, data: Node, doc: str) -> None:
        self.add(s, RDF.type, CV.Observation)
        self.add(s, CV.contract, c)
        if o is not None:
            self.add(s, CV.orientation, o)
        self.label(s, ob)
        value = require(ob, "value", (int, float))
        self.add(s, CV.value, decimal(value))
        if "value_max" in ob:
            self.add(s, CV.valueMax, decimal(require(ob, "value_max", (int, float))))
        self.add(s, CV.unit, self.controlled(ob, "unit", "unit"))
        territory = optional(ob, "territory", str) or self.contract_territory(ob)
        self.add(s, CV.territory, self.uri("territory", self.regs.territories.check_ref(territory, ob, "territory")))
        period = optional(ob, "period", (str, int)) or optional(data, "period", (str, int))
        if period is not None:
            self.add(s, CV.period, Literal(str(period)))
            if "period" not in ob and "period_note" in data:
                self.add(s, SKOS.editorialNote, fr(require(data, "period_note")))
        else:
            self.add(s, CV.periodNotStated, Literal(True))
        stated = optional(ob, "source", str) or optional(data, "source", str)
        if stated:
            self.add(s, CV.statedSource, fr(stated))
        else:
            self.add(s, CV.sourceNotStated, Literal(True))
        if "written" in ob:
            self.add(s, CV.asWritten, fr(require(ob, "written")))
        self.notes(s, ob)
        self.provenance(s, ob, doc)

    def proposed_instrument(self, cid: str, name: str) -> URIRef:
        """An instrument a draft names that no registry knows: this contract's, as written, to be
        confirmed (`proposed_instruments`)."""
        s = self.uri("contract", cid, "instrument", slugify(name)[:60])
        if (s, RDF.type, CV.FinancingInstrument) not in self.g:
            self.add(s, RDF.type, CV.FinancingInstrument)
            self.add(s, RDFS.label, fr(name))
            self.add(s, CV.instrumentType, concept("instrument-type", "dispositif"))
            self.add(s, CV.toValidate, Literal(True))
            self.add(s, CV.flag, fr("Instrument que le registre ne connaît pas, repris tel qu’écrit : proposé, à valider."))
        return s

    def resolve(self, name: str, node: Node, field_name: str) -> str:
        """An organisation named in the contract; an item a draft marks `proposed: true` (a name no
        registry knows) becomes a body proposed for this contract, to be confirmed."""
        if optional(node, "proposed", bool, False):
            return self.scope.propose(name, node, field_name)
        return self.scope.resolve(name, node, field_name)

    def contract_territory(self, node: Node) -> str:
        """A figure's territory when it names none: the contract's first territory."""
        if not self._territories:
            raise node.error("a figure names its territory when its contract lists none", "territory")
        return self._territories[0]

    def _signatory(self, c: URIRef, cid: str, e: Node, doc: str) -> None:
        org_id = self.resolve(require(e, "org"), e, "org")
        s = self.uri("contract", cid, "commitment", org_id)
        if (s, RDF.type, CV.SignatoryCommitment) in self.g:
            raise e.error(f"signatory {org_id!r} listed twice", "org")
        self.add(c, CV.signatory, self.org(org_id))
        self.add(s, RDF.type, CV.SignatoryCommitment)
        self.add(s, CV.contract, c)
        self.add(s, CV.signatory, self.org(org_id))
        self.add(s, RDFS.label, fr(f"Engagements : {self.scope.label(org_id)}"))
        if "section" in e:
            self.add(s, CV.sourceSection, fr(require(e, "section")))
        self.notes(s, e)
        self.confidence(s, e)
        self.provenance(s, e, doc)
        for i, item in enumerate(mappings(e, "commitments"), start=1):
            x = self.uri("contract", cid, "commitment", org_id, i)
            self.add(x, RDF.type, CV.CommitmentItem)
            self.add(s, CV.item, x)
            self.add(x, CV.rank, self.integer(i))
            self.add(x, RDFS.label, fr(require(item, "text")))
            if "theme" in item:
                self.add(x, CV.theme, fr(require(item, "theme")))
            self.notes(x, item)
            self.provenance(x, item, optional(e, "document", str, doc))

    def _indicator(self, c: URIRef, cid: str, i: int, e: Node, numbers: set, doc: str) -> None:
        s = self.uri("contract", cid, "indicator", i)
        self.add(s, RDF.type, CV.Indicator)
        self.add(s, CV.contract, c)
        self.label(s, e)
        if "theme" in e:
            self.add(s, CV.theme, fr(require(e, "theme")))
        for n in require(e, "orientations", list):
            if n not in numbers:
                raise e.error(f"orientation {n} does not exist in this contract", "orientations")
            self.add(s, CV.orientation, self.uri("contract", cid, "orientation", n))
        self.provenance(s, e, doc)

    def _governance(self, c: URIRef, cid: str, e: Node, axes: dict, doc: str) -> None:
        s = self.uri("contract", cid, "body", require(e, "id"))
        self.add(s, RDF.type, CV.GovernanceBody)
        self.add(s, CV.contract, c)
        self.label(s, e)
        self.add(s, CV.governanceKind, self.controlled(e, "kind", "governance-kind"))
        self.add(s, RDFS.comment, fr(require(e, "text")))
        for chair in optional(e, "chairs", list, []):
            self.add(s, CV.chair, self.org(self.regs.organisations.check_ref(chair, e, "chairs")))
        if "org" in e:
            self.add(s, CV.organisation, self.org(self.regs.organisations.check_ref(e["org"], e, "org")))
        if "axis" in e:
            if e["axis"] not in axes:
                raise e.error(f"unknown axis {e['axis']!r}", "axis")
            self.add(s, CV.axis, axes[e["axis"]])
        if "count" in e:
            self.add(s, CV["count"], Literal(require(e, "count", int)))
        if "frequency" in e:
            self.add(s, CV.frequency, fr(require(e, "frequency")))
        self.notes(s, e)
        self.provenance(s, e, doc)


def prepare(data_dir: Path, base: str) -> tuple[Compiler, list[Path]]:
    """Read the registries of `data_dir` and compile them (into `comp.g`); the compiler and the
    contract sheets, in file-name order. Each sheet is then compiled on its own (`compile_sheet`),
    so that a build holds one contract at a time, not five hundred, and can spread them over cores."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceError("data folder not found", file=data_dir)
    regs = load_registries(data_dir)
    resolver = Resolver(regs.organisations, data_dir)
    comp = Compiler(regs, base, resolver, reference_document(data_dir, regs))
    comp.documents()
    comp.organisations()
    comp.instruments()
    comp.territories()
    sheets = sorted((data_dir / "contracts").glob("*.yaml"))
    if not sheets:
        raise SourceError("no contract sheet found", file=data_dir / "contracts")
    return comp, sheets


def specific_credits(regs: Registries) -> set[str]:
    """The instruments that are politique-de-la-ville credits: those marked `specific_credit`, and
    those whose programme (or its programme…) is."""
    entries = regs.instruments.entries
    out = set()
    for ident in entries:
        seen, cur = set(), ident
        while cur and cur not in seen:
            seen.add(cur)
            if "specific_credit" in entries[cur]:
                out.add(ident)
                break
            cur = entries[cur].get("programme")
    return out


def reference_document(data_dir: Path, regs: Registries) -> str | None:
    """The documents-registry id of the administrative reference (data/reference/version.yaml)."""
    path = Path(data_dir) / "reference" / "version.yaml"
    if not path.is_file():
        return None
    root = read_yaml(path)
    if not isinstance(root, Node):
        raise SourceError("expected a mapping", file=path, line=1)
    return regs.documents.check_ref(require(root, "document"), root, "document")


def contract_date(e: Node):
    """A contract's date, for what existed then: its start, else its signature, else 1 January of
    its first year; None when the sheet gives none."""
    if isinstance(e.get("start"), dt.date):
        return e["start"]
    sig = e.get("signature")
    if isinstance(sig, Node) and isinstance(sig.get("date"), dt.date):
        return sig["date"]
    if isinstance(sig, Node) and isinstance(sig.get("year_month"), str) and len(sig["year_month"]) == 7:
        try:
            return dt.date(int(sig["year_month"][:4]), int(sig["year_month"][5:]), 1)
        except ValueError:
            raise sig.error("expected YYYY-MM", "year_month") from None
    if isinstance(e.get("start_year"), int):
        return dt.date(e["start_year"], 1, 1)
    return None


def compile_sheet(comp: Compiler, path: Path) -> tuple[str, Triples, list]:
    """One contract sheet: its id, its triples, and the contracts it points at (successor, amends).
    File names are unique and each must be its contract's id, so sheets are independent."""
    comp.g = Triples()
    comp._ordinals = {}   # a sheet's IRIs depend on that sheet alone, whatever was compiled before it
    cid = comp.contract(path)
    return cid, comp.g, _links(comp.g)


def finish(comp: Compiler, data_dir: Path, contracts: list[str], links: list) -> Triples:
    """The agreements, once every contract is known; a link to an unknown contract is an error."""
    comp.g = Triples()
    if (Path(data_dir) / "agreements.yaml").is_file():
        comp.agreements(Path(data_dir) / "agreements.yaml")
    comp.retired = retired(comp, data_dir)
    known = {comp.uri("contract", c) for c in contracts}
    for prop, o in links + _links(comp.g):
        if o not in known:
            raise SourceError(f"{prop.split('#')[-1]} points at unknown contract <{o}>")
    return comp.g


def retired(comp: Compiler, data_dir: Path) -> dict[str, str]:
    """`data/retired.yaml`: the IRIs that moved (old path -> new path under the base), described in
    the graph as deprecated and replaced; an IRI retired to itself, in a loop, or twice is an error.
    Returns {old IRI: new IRI}."""
    path = Path(data_dir) / "retired.yaml"
    if not path.is_file():
        return {}
    root = read_yaml(path)
    if not isinstance(root, Node) or "retired" not in root:
        raise SourceError("expected a mapping with a 'retired' list", file=path, line=1, field="retired")
    moves: dict[str, tuple[str, Node]] = {}
    for e in mappings(root, "retired", required=True):
        old, new = require(e, "old"), require(e, "new")
        for key, value in (("old", old), ("new", new)):
            if value.startswith(("/", "http:", "https:")) or " " in value or ".." in value.split("/"):
                raise e.error("a path under the base IRI (contract/…, organisation/…)", key)
        if old == new:
            raise e.error("an IRI cannot be retired to itself", "new")
        if old in moves:
            raise e.error(f"{old} is retired twice", "old")
        moves[old] = (new, e)
    for old, (new, e) in moves.items():
        seen, cur = {old}, new
        while cur in moves:
            if cur in seen:
                raise e.error(f"retired IRIs loop: {old} -> … -> {cur}", "new")
            seen.add(cur)
            cur = moves[cur][0]
    out = {}
    for old, (new, e) in sorted(moves.items()):
        s, o = comp.uri(old), comp.uri(new)
        comp.add(s, OWL.deprecated, Literal(True))
        comp.add(s, DCTERMS.isReplacedBy, o)
        out[str(s)] = (str(o), e)
    return out


def _links(g: Triples) -> list:
    props = (CV.successor, CV.amends)
    return [(p, o) for _, p, o in g if p in props]


class Triples:
    """The compiled graph: a set of rdflib-term triples with the few reads the build needs.

    Adding to rdflib's Graph cost about 60 µs a triple (a minute at a few hundred contracts);
    this set costs a tenth of that. It answers `in`, iteration, `len`, `subjects(p, o)`,
    `objects(s, p)`, `subject_objects(p)` and `value(s, p)` like rdflib's Graph."""

    def __init__(self):
        self._all: dict = {}       # the triples, in the order added (a dict keeps it)
        self._indexed = False      # the indexes are made on the first read that needs them

    def add(self, triple) -> None:
        if triple in self._all:
            return
        self._all[triple] = None
        if self._indexed:
            self._index(triple)

    def _index(self, triple) -> None:
        s, p, o = triple
        self._by_sp.setdefault((s, p), []).append(o)
        self._by_po.setdefault((p, o), []).append(s)
        self._by_p.setdefault(p, []).append((s, o))

    def _indexes(self) -> None:
        if not self._indexed:
            self._by_sp, self._by_po, self._by_p = {}, {}, {}
            for triple in self._all:
                self._index(triple)
            self._indexed = True

    def bind(self, *args, **kwargs) -> None:  # prefixes are the serialiser's business
        return None

    def __contains__(self, triple) -> bool:
        return triple in self._all

    def __iter__(self):
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def subjects(self, p, o):
        self._indexes()
        return iter(self._by_po.get((p, o), ()))

    def objects(self, s, p):
        self._indexes()
        return iter(self._by_sp.get((s, p), ()))

    def subject_objects(self, p):
        self._indexes()
        return iter(self._by_p.get(p, ()))

    def value(self, s, p):
        self._indexes()
        values = self._by_sp.get((s, p))
        return values[0] if values else None
