"""Publishing the graph as linked open data: a static site that a plain web server can host.

Layout of the site, for a base URI B (resource IRIs are B + path, e.g. B + "contract/x"):

    index.html                      home page
    contract/x.html .ttl .jsonld .nt   one page and three RDF twins per resource under B
    contract/index.html, organisation/index.html, instrument/index.html, document/index.html
    dump/cvgraph.ttl .nt .jsonld (+ .gz)   the whole graph
    ontology/cvgraph.ttl, ontology/index.html   the ontology and its documentation
    void.ttl (and .well-known/void)  VoID + DCAT-AP description of the dataset
    query.html                      the named queries, ready to run on B + "sparql"
    deploy/nginx.conf, deploy/apache.htaccess   content negotiation for extension-less URIs

The site is hosted at B: `https://w3id.org/cvgraph/id/contract/x` is served from
`contract/x.html` (or `.ttl`, `.jsonld`, `.nt`, by the Accept header). Every link between pages
is relative, so the folder works wherever it is put. The folder is written beside its target and
renamed into place at the end: an interrupted publish leaves the previous site as it was.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import os
import posixpath
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from ._paths import resource_dir
from .errors import UsageError
from .graph import graph_base, graph_file, load_store
from .progress import progress
from .names import sort_key
from .matrix import html_style as matrix_style
from .output import new_folder_beside, swap_folder
from .pages import CSS as PAGES_CSS
from .query import named_queries
from .sources import Sources, TextState, documents_from_graph, text_path, text_states
from .vocab import CV, CVV, PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
DCT = "http://purl.org/dc/terms/"
LICENCE_IRI = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
LICENCE_SPDX = "https://spdx.org/licenses/etalab-2.0.html"
TWINS = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE), "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
         "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES)}
INDEXES = {"contract": "Contrats", "organisation": "Organisations", "instrument": "Instruments de financement",
           "document": "Documents sources"}
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


@dataclass
class PublishSummary:
    out: Path
    base: str
    resources: int = 0
    triples: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"published {self.out} for {self.base}",
               f"  resources {self.resources} (one page and three RDF twins each)",
               f"  triples   {self.triples}", f"  files     {self.files}"]
        if self.skipped:
            out.append(f"  not published (IRIs with characters a file name cannot hold): {len(self.skipped)}")
        return out


def check_base_uri(base: str) -> str:
    """An absolute http(s) IRI ending with '/' (one is added when missing)."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or re.search(r"[\s<>\"{}|\\^`]", base):
        raise UsageError(f"--base-uri {base!r}: expected an absolute http(s) IRI such as https://example.org/cvgraph/")
    return base if base.endswith("/") else base + "/"


def rebased_triples(graph_path, base: str | None, store: ox.Store | None = None) -> tuple[list[ox.Triple], str]:
    """The graph's triples, with the resource IRIs moved to `base` when one is given."""
    store = store if store is not None else load_store(graph_path)
    source = graph_base(store)
    triples = [q.triple for q in store]
    if not base or base == source:
        return triples, source

    def move(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(source):
            return ox.NamedNode(base + term.value[len(source):])
        return term
    return [ox.Triple(move(t.subject), t.predicate, move(t.object)) for t in triples], base


class Site:
    """Indexes over the triples and the link/label helpers the pages share."""

    def __init__(self, triples: list[ox.Triple], base: str, ontology: list[ox.Triple],
                 texts: dict[str, TextState] | None = None):
        self.base = base
        self.triples = triples
        self.texts = texts or {}
        self.out_edges: dict[str, list[ox.Triple]] = defaultdict(list)
        self.in_edges: dict[str, list[ox.Triple]] = defaultdict(list)
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.out_edges[t.subject.value].append(t)
            if isinstance(t.object, ox.NamedNode):
                self.in_edges[t.object.value].append(t)
        self.labels: dict[str, str] = {}
        rank = {SKOS_PREF: 0, RDFS_LABEL: 1, DCT + "title": 2}
        best: dict[str, tuple] = {}
        for t in triples + ontology:
            if t.predicate.value in rank and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
                lang = t.object.language or ""
                key = (0 if lang == "fr" else 1 if lang == "" else 2, rank[t.predicate.value])
                if t.subject.value not in best or key < best[t.subject.value]:
                    best[t.subject.value] = key
                    self.labels[t.subject.value] = t.object.value
        self.paths: dict[str, str] = {}
        self.skipped: list[str] = []
        for iri in self.out_edges:
            if iri.startswith(base):
                path = iri[len(base):]
                if path and all(_SAFE_SEGMENT.match(seg) for seg in path.split("/")) and \
                        path.split("/")[0] not in ("dump", "ontology", "deploy", "sparql", "query", "report"):
                    self.paths[iri] = path
                else:
                    self.skipped.append(iri)

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or compact(iri)

    def href(self, iri: str, here: str, suffix: str = ".html") -> str | None:
        """A relative link from the page at path `here` to the page of `iri`, if the site has one."""
        if iri in self.paths:
            target = self.paths[iri] + suffix
        elif iri.startswith(str(CV)):
            target = "ontology/index.html#" + iri[len(str(CV)):]
        elif iri.startswith(str(CVV)):
            target = "ontology/index.html#" + vocab_anchor(iri)
        else:
            return None
        return posixpath.relpath(target, posixpath.dirname(here) or ".")

    def line_href(self, doc: str, line: int | str | None, here: str) -> str | None:
        """A relative link from `here` to a line of a document's text page, when the site shows it."""
        state = self.texts.get(doc)
        if state is None or state.text is None or doc not in self.paths:
            return None
        anchor = ""
        if line not in (None, ""):
            if not 1 <= int(line) <= len(state.text):
                return None
            anchor = f"#L{int(line)}"
        return posixpath.relpath(text_path(self.paths[doc]) + ".html", posixpath.dirname(here) or ".") + anchor

    def types(self, iri: str) -> list[str]:
        return [t.object.value for t in self.out_edges.get(iri, ()) if t.predicate.value == RDF_TYPE]


def vocab_anchor(iri: str) -> str:
    return "vocab-" + iri[len(str(CVV)):].replace("/", "-")


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


# --- HTML ------------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, sans-serif; max-width: 72em; margin: 0 auto; padding: 1em 1.5em; color: #111; line-height: 1.45; }
header.site { border-bottom: 2px solid #1f4e79; margin-bottom: 1em; padding-bottom: .4em; }
header.site a { color: #1f4e79; font-weight: bold; text-decoration: none; margin-right: 1.2em; }
h1 { font-size: 1.6em; margin: .3em 0; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #e3e3e3; }
th { width: 16em; font-weight: 600; color: #333; } .iri { font-family: ui-monospace, monospace; font-size: .85em; color: #555; word-break: break-all; }
.lang { color: #777; font-size: .8em; } .twins a { margin-right: 1em; } .flag { background: #fff4d6; border-left: 4px solid #e0a100; padding: .4em .8em; }
ul.index { columns: 2; } footer { margin-top: 3em; font-size: .85em; color: #555; border-top: 1px solid #ccc; padding-top: .6em; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9em; }
table.source-text td { border: 0; padding: 0 8px; font-family: ui-monospace, monospace; font-size: .85em; white-space: pre-wrap; }
table.source-text td.n { width: 4em; text-align: right; color: #888; user-select: none; } table.source-text td.n a { color: inherit; text-decoration: none; }
table.source-text tr:target { background: #fff1a8; } .no-text { color: #555; font-style: italic; }
""" + PAGES_CSS


DATA_FOOTER = ("Données : Licence Ouverte 2.0 (etalab-2.0). Chaque fait renvoie au document source et à la "
               "ligne d’où il vient.")


def page(title: str, here: str, body: str, *, head_extra: str = "", footer: str = DATA_FOOTER) -> str:
    up = posixpath.relpath(".", posixpath.dirname(here) or ".")
    root = "" if up == "." else up + "/"
    nav = "".join(f'<a href="{root}{k}/index.html">{html.escape(v)}</a>' for k, v in INDEXES.items())
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – cvgraph</title>
<style>{CSS}</style>{head_extra}</head><body>
<header class="site"><a href="{root}index.html">cvgraph</a>{nav}<a href="{root}query.html">Requêtes SPARQL</a><a href="{root}ontology/index.html">Ontologie</a></header>
<main>
{body}
</main>
<footer>{html.escape(footer)}
<a href="{root}void.ttl">Description VoID / DCAT</a> · <a href="{root}dump/cvgraph.ttl.gz">Téléchargement</a></footer>
</body></html>
"""


def value_html(site: Site, term, here: str) -> str:
    e = html.escape
    if isinstance(term, ox.NamedNode):
        link = site.href(term.value, here)
        text = e(site.label(term.value))
        if link:
            return f'<a href="{e(link)}">{text}</a>'
        return f'<a href="{e(term.value)}">{text}</a>' if term.value.startswith(("http://", "https://")) else text
    if isinstance(term, ox.Literal):
        lang = f' <span class="lang">@{e(term.language)}</span>' if term.language else ""
        return f"{e(term.value)}{lang}"
    return e(str(term))


def resource_page(site: Site, iri: str, reading=None) -> str:
    """A resource's page: for an orientation, its fiche; for a contract, its axes, orientations,
    signatories and reports (`cvgraph.pages`, with `reading`); then every property, its provenance
    and the links to it."""
    from .pages import contract_overview, orientation_fiche

    e = html.escape
    here = site.paths[iri] + ".html"
    name = posixpath.basename(site.paths[iri])
    title = site.label(iri)
    types = site.types(iri)
    lead = ""
    if reading is not None and str(CV.Orientation) in types:
        number = [t.object.value for t in site.out_edges[iri] if t.predicate.value == str(CV.number)]
        title = f"Orientation {number[0]} : {title}" if number else title
        lead = orientation_fiche(reading, iri, here)
    elif reading is not None and str(CV.Contract) in types:
        lead = contract_overview(reading, iri, here)
    types = ", ".join(value_html(site, ox.NamedNode(t), here) for t in types)
    twins = " ".join(f'<a href="{e(name)}.{ext}" type="{mt}">{label}</a>'
                     for ext, (mt, _), label in zip(TWINS, TWINS.values(), ("Turtle", "JSON-LD", "N-Triples")))
    head = "".join(f'\n<link rel="alternate" type="{mt}" href="{e(name)}.{ext}">' for ext, (mt, _) in TWINS.items())
    out = [f"<h1>{e(title)}</h1>", f'<p class="iri">{e(iri)}</p>', f"<p>Type : {types or '–'}</p>",
           f'<p class="twins">Cette ressource en {twins}</p>']
    edges = site.out_edges[iri]
    flags = [t for t in edges if t.predicate.value == str(CV.flag)]
    for t in flags:
        out.append(f'<p class="flag">À noter : {e(t.object.value)}</p>')
    if lead:
        out.append(lead)
    out.append(f"<h2>{'Toutes les propriétés' if lead else 'Propriétés'}</h2><table>")
    provenance = (str(CV.sourceLine), str(CV.sourceSection), DCT + "source", str(CV.asWritten))
    rows = sorted((t for t in edges if t.predicate.value not in (RDF_TYPE, str(CV.flag)) + provenance),
                  key=lambda t: (site.label(t.predicate.value), str(t.object)))
    for t in rows:
        out.append(f"<tr><th>{value_html(site, t.predicate, here)}</th><td>{value_html(site, t.object, here)}</td></tr>")
    out.append("</table>")
    prov = [t for t in edges if t.predicate.value in provenance]
    if prov:
        out.append("<h2>Provenance</h2><table>")
        docs = [t.object.value for t in prov if t.predicate.value == DCT + "source"]
        lines = [t.object.value for t in prov if t.predicate.value == str(CV.sourceLine)]
        for t in sorted(prov, key=lambda t: provenance.index(t.predicate.value)):
            value = value_html(site, t.object, here)
            if t.predicate.value == DCT + "source":
                files = [x.object.value for x in site.out_edges.get(t.object.value, ()) if x.predicate.value == str(CV.fileName)]
                value += f' <span class="iri">{e(files[0])}</span>' if files else ""
            elif t.predicate.value == str(CV.sourceLine) and docs:
                link = site.line_href(docs[0], t.object.value, here)
                if link:
                    value = f'<a class="source-line" href="{e(link)}">l. {e(t.object.value)}</a>'
            out.append(f"<tr><th>{value_html(site, t.predicate, here)}</th><td>{value}</td></tr>")
        out.append("</table>")
        if docs and lines and site.line_href(docs[0], lines[0], here) is None:
            out.append(f'<p class="no-text">Texte source non consultable ici : {e(text_reason(site, docs[0]))}.</p>')
    if iri in site.texts:
        link = site.line_href(iri, None, here)
        out.append("<h2>Texte</h2>")
        out.append(f'<p><a class="source-text" href="{e(link)}">Lire le texte, ligne à ligne</a></p>' if link else
                   f'<p class="no-text">Texte non publié : {e(text_reason(site, iri))}.</p>')
        if site.texts[iri].info.rights:
            out.append(f'<p class="rights">Droits : {e(site.texts[iri].info.rights)}</p>')
    inbound = sorted(site.in_edges.get(iri, ()), key=lambda t: (site.label(t.predicate.value), site.label(t.subject.value)))
    if inbound:
        out.append(f"<h2>Liens entrants ({len(inbound)})</h2><table>")
        for t in inbound:
            out.append(f"<tr><th>{value_html(site, t.subject, here)}</th><td>{value_html(site, t.predicate, here)}</td></tr>")
        out.append("</table>")
    return page(title, here, "\n".join(out), head_extra=head)


def text_reason(site: Site, doc: str) -> str:
    state = site.texts.get(doc)
    if state is None:
        return "document inconnu"
    if state.text is not None:
        return "ligne hors du texte"
    return state.why_not


def text_page(site: Site, doc: str) -> str:
    """A document's text (its redactions applied), one numbered line per row, each with its
    anchor `#L<n>`, under the document's own rights statement."""
    e = html.escape
    state = site.texts[doc]
    here = text_path(site.paths[doc]) + ".html"
    title = site.label(doc)
    back = posixpath.relpath(site.paths[doc] + ".html", posixpath.dirname(here))
    rows = "\n".join(f'<tr id="L{n}"><td class="n"><a href="#L{n}">{n}</a></td><td class="t">{e(line)}</td></tr>'
                      for n, line in enumerate(state.text, start=1))
    redacted = (f"<p>{len(state.info.redactions)} passage(s) occulté(s), remplacé(s) par « (…) ».</p>"
                if state.info.redactions else "")
    body = (f"<h1>{e(title)}</h1>"
            f'<p><a href="{e(back)}">Le document</a> · fichier <span class="iri">{e(state.info.file)}</span> · '
            f'SHA-256 <span class="iri">{e(state.info.sha256)}</span> · '
            f'<a href="text.txt">texte brut</a></p>'
            f'<p class="rights">Droits : {e(state.info.rights or "non précisés")}</p>{redacted}'
            f'<table class="source-text"><tbody>\n{rows}\n</tbody></table>')
    return page(f"Texte – {title}", here, body, footer=f"Texte : {state.info.rights or 'droits non précisés'}")


def index_page(site: Site, segment: str, title: str) -> str:
    here = f"{segment}/index.html"
    items = sorted((iri for iri, path in site.paths.items() if path.startswith(segment + "/") and path.count("/") == 1),
                   key=lambda i: sort_key(site.label(i)))
    body = [f"<h1>{html.escape(title)} ({len(items)})</h1>", '<ul class="index">']
    body += [f'<li><a href="{html.escape(site.href(i, here))}">{html.escape(site.label(i))}</a></li>' for i in items]
    body.append("</ul>")
    return page(title, here, "\n".join(body))


def home_page(site: Site, counts: dict[str, int]) -> str:
    e = html.escape
    contracts = sorted((i for i, p in site.paths.items() if p.startswith("contract/") and p.count("/") == 1),
                       key=lambda i: sort_key(site.label(i)))
    body = ["<h1>Contrats de ville : le graphe de connaissances</h1>",
            "<p>Les contrats de ville (politique de la ville) en données liées : signataires, orientations "
            "stratégiques, actions, pilotes, services associés et financements, chacun relié au document "
            "source et à la ligne d’où il vient.</p>",
            f"<p>{counts['triples']} triplets, {counts['resources']} ressources. "
            f"URI de base : <span class=\"iri\">{e(site.base)}</span></p>",
            "<h2>Contrats</h2><ul>"]
    body += [f'<li><a href="{e(site.href(c, "index.html"))}">{e(site.label(c))}</a></li>' for c in contracts]
    body.append("</ul><h2>Parcourir</h2><ul>")
    body += [f'<li><a href="{k}/index.html">{e(v)}</a></li>' for k, v in INDEXES.items()]
    body.append('</ul><h2>Interroger et télécharger</h2><ul>'
                '<li><a href="query.html">Requêtes SPARQL prêtes à l’emploi</a> (point d’accès '
                f'<span class="iri">{e(site.base)}sparql</span> quand le site est servi par <code>cvgraph serve</code>)</li>')
    for ext, label in (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD")):
        body.append(f'<li>{label} : <a href="dump/cvgraph.{ext}">cvgraph.{ext}</a> '
                    f'(<a href="dump/cvgraph.{ext}.gz">gzip</a>)</li>')
    body.append('<li><a href="void.ttl">Description du jeu de données (VoID, DCAT-AP)</a></li>'
                '<li><a href="ontology/index.html">Documentation de l’ontologie</a> '
                '(<a href="ontology/cvgraph.ttl">Turtle</a>)</li></ul>')
    return page("Accueil", "index.html", "\n".join(body))


def query_page(base: str) -> str:
    e = html.escape
    body = ["<h1>Requêtes SPARQL</h1>",
            f'<p>Point d’accès SPARQL 1.1 (lecture seule) : <span class="iri">{e(base)}sparql</span>. '
            "Chaque requête de la bibliothèque est prête à lancer ; les paramètres (lignes "
            "<code># param:</code>) se remplacent dans le texte ou se passent à <code>cvgraph query --param</code>.</p>"]
    body.append('<form method="get" action="sparql" id="run"><p><label for="query">Requête</label></p>'
                '<textarea name="query" id="query" rows="16">'
                + e(named_queries()["who-funds-what"].text) +
                '</textarea><p><label>Format <select name="format"><option value="html">tableau (HTML)</option>'
                '<option value="csv">CSV</option><option value="tsv">TSV</option><option value="json">JSON</option>'
                '<option value="xml">XML</option></select></label> <button type="submit">Exécuter</button></p></form>')
    for purpose, title in (("reports", "Rapports"), ("profiles", "Fiches"), ("compare", "Comparaisons"),
                           ("gaps", "Manques")):
        body.append(f"<h2>{title}</h2>")
        for q in sorted((q for q in named_queries().values() if q.purpose == purpose), key=lambda q: q.name):
            params = "".join(f"<li><code>{e(p.name)}</code> – {e(p.description)}</li>" for p in q.params)
            body.append(f'<details id="{e(q.name)}"><summary><strong>{e(q.title)}</strong> '
                        f'<code>{e(q.name)}</code></summary><p>{e(q.description)}</p>'
                        + (f"<ul>{params}</ul>" if params else "")
                        + f'<form method="get" action="sparql"><textarea name="query" rows="12">{e(q.text)}</textarea>'
                        '<input type="hidden" name="format" value="html"><button type="submit">Exécuter</button></form></details>')
    return page("Requêtes SPARQL", "query.html", "\n".join(body))


def ontology_page(ontology: list[ox.Triple], site: Site) -> str:
    """The ontology's documentation: classes, properties and concept schemes with labels and
    comments in French and English, domains, ranges and superclasses."""
    e = html.escape
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in ontology:
        if isinstance(t.subject, ox.NamedNode):
            by_subject[t.subject.value].append(t)

    def texts(iri, pred):
        return [(t.object.value, t.object.language or "") for t in by_subject[iri]
                if t.predicate.value == pred and isinstance(t.object, ox.Literal)]

    def objects(iri, pred):
        return [t.object.value for t in by_subject[iri] if t.predicate.value == pred and isinstance(t.object, ox.NamedNode)]

    def link(iri):
        if iri.startswith(str(CV)):
            return f'<a href="#{e(iri[len(str(CV)):])}">{e(compact(iri))}</a>'
        if iri.startswith(str(CVV)):
            return f'<a href="#{e(vocab_anchor(iri))}">{e(compact(iri))}</a>'
        return f'<a href="{e(iri)}">{e(compact(iri))}</a>'

    owl = "http://www.w3.org/2002/07/owl#"
    groups = (("Classes", owl + "Class"), ("Propriétés d’objet", owl + "ObjectProperty"),
              ("Propriétés de données", owl + "DatatypeProperty"))
    body = ["<h1>Ontologie cvgraph</h1>", f'<p class="iri">{e(str(CV))}</p>']
    for label, comment in ((texts(str(CV)[:-1], RDFS_LABEL), texts(str(CV)[:-1], RDFS_COMMENT)),):
        body += [f"<p>{e(v)} <span class=\"lang\">@{lang}</span></p>" for v, lang in label + comment]
    body.append('<p>Turtle : <a href="cvgraph.ttl">cvgraph.ttl</a></p>')
    for title, kind in groups:
        members = sorted(s for s, ts in by_subject.items() if s.startswith(str(CV))
                         and any(t.predicate.value == RDF_TYPE and t.object.value == kind for t in ts))
        body.append(f"<h2>{title} ({len(members)})</h2>")
        for iri in members:
            local = iri[len(str(CV)):]
            body.append(f'<section id="{e(local)}"><h3>{e(compact(iri))}</h3><table>')
            for v, lang in texts(iri, RDFS_LABEL):
                body.append(f'<tr><th>Libellé</th><td>{e(v)} <span class="lang">@{lang}</span></td></tr>')
            for v, lang in texts(iri, RDFS_COMMENT):
                body.append(f'<tr><th>Définition</th><td>{e(v)} <span class="lang">@{lang}</span></td></tr>')
            for pred, name in (("http://www.w3.org/2000/01/rdf-schema#subClassOf", "Sous-classe de"),
                               ("http://www.w3.org/2000/01/rdf-schema#subPropertyOf", "Sous-propriété de"),
                               ("http://www.w3.org/2000/01/rdf-schema#domain", "Domaine"),
                               ("http://www.w3.org/2000/01/rdf-schema#range", "Portée")):
                values = objects(iri, pred)
                if values:
                    body.append(f"<tr><th>{name}</th><td>{', '.join(link(v) for v in values)}</td></tr>")
            body.append("</table></section>")
    schemes = sorted(s for s, ts in by_subject.items() if any(
        t.predicate.value == RDF_TYPE and t.object.value == "http://www.w3.org/2004/02/skos/core#ConceptScheme" for t in ts))
    body.append(f"<h2>Vocabulaires contrôlés ({len(schemes)})</h2>")
    in_scheme = "http://www.w3.org/2004/02/skos/core#inScheme"
    for scheme in schemes:
        concepts = sorted(s for s, ts in by_subject.items() if any(
            t.predicate.value == in_scheme and t.object.value == scheme for t in ts))
        body.append(f'<section id="{e(vocab_anchor(scheme))}"><h3>{e(site.label(scheme))} '
                    f'<span class="iri">{e(scheme)}</span></h3><ul>')
        for c in concepts:
            notation = [t.object.value for t in by_subject[c] if t.predicate.value.endswith("#notation")]
            body.append(f'<li id="{e(vocab_anchor(c))}"><code>{e(notation[0] if notation else c)}</code> – '
                        f'{e(site.label(c))}</li>')
        body.append("</ul></section>")
    return page("Ontologie", "ontology/index.html", "\n".join(body))


# --- VoID / DCAT, deployment snippets ----------------------------------------------------------

def void_turtle(site: Site, counts: dict, publisher: str, today: str) -> str:
    b = site.base
    examples = [i for i, p in sorted(site.paths.items(), key=lambda kv: kv[1])
                if re.fullmatch(r"contract/[^/]+(/orientation/\d+)?", p)][:3]
    dumps = "\n".join(f"""
<{b}dump/cvgraph.{ext}{gz}> a dcat:Distribution ;
    dcterms:title "{title}{' (gzip)' if gz else ''}"@fr ;
    dcat:downloadURL <{b}dump/cvgraph.{ext}{gz}> ;
    dcat:mediaType <https://www.iana.org/assignments/media-types/{media}> ;
    {'dcat:compressFormat <https://www.iana.org/assignments/media-types/application/gzip> ;' if gz else ''}
    dcterms:license <{LICENCE_IRI}> .""" for ext, title, media in (
        ("ttl", "Graphe complet en Turtle", "text/turtle"), ("nt", "Graphe complet en N-Triples", "application/n-triples"),
        ("jsonld", "Graphe complet en JSON-LD", "application/ld+json")) for gz in ("", ".gz"))
    dist_list = ", ".join(f"<{b}dump/cvgraph.{ext}{gz}>" for ext in ("ttl", "nt", "jsonld") for gz in ("", ".gz"))
    return f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{b}void#dataset> a void:Dataset, dcat:Dataset ;
    dcterms:title "Contrats de ville : graphe de connaissances"@fr, "French city contracts: knowledge graph"@en ;
    dcterms:description "Les contrats de ville de la politique de la ville en données liées : signataires, orientations stratégiques, actions, pilotes, services associés, instruments de financement et données chiffrées, chaque fait relié au document source et à sa ligne."@fr ,
        "French city contracts (urban policy) as linked data: signatories, strategic orientations, actions, pilots, associated services, financing instruments and figures, each fact linked to its source document and line."@en ;
    dcterms:publisher <{b}void#publisher> ;
    dcterms:license <{LICENCE_IRI}> ;
    dcterms:rights "Licence Ouverte 2.0 (etalab-2.0)"@fr ;
    dcterms:issued "{today}"^^xsd:date ;
    dcterms:modified "{today}"^^xsd:date ;
    dcterms:language <http://publications.europa.eu/resource/authority/language/FRA> ;
    dcat:keyword "politique de la ville"@fr, "contrat de ville"@fr, "quartiers prioritaires"@fr ;
    dcat:landingPage <{b}index.html> ;
    dcat:distribution {dist_list} ;
    void:triples {counts['triples']} ;
    void:entities {counts['resources']} ;
    void:distinctSubjects {counts['subjects']} ;
    void:properties {counts['properties']} ;
    void:classes {counts['classes']} ;
    void:uriSpace "{b}" ;
    void:vocabulary <{CV}>, <http://www.w3.org/ns/org#>, <http://www.w3.org/2004/02/skos/core#>, <http://purl.org/dc/terms/> ;
    void:exampleResource {', '.join(f'<{x}>' for x in examples)} ;
    void:dataDump <{b}dump/cvgraph.nt>, <{b}dump/cvgraph.ttl>, <{b}dump/cvgraph.jsonld> ;
    void:sparqlEndpoint <{b}sparql> ;
    dcat:servesDataset <{b}void#dataset> .

<{b}void#sparql> a dcat:DataService ;
    dcterms:title "Point d’accès SPARQL 1.1 (lecture seule)"@fr ;
    dcat:endpointURL <{b}sparql> ;
    dcat:servesDataset <{b}void#dataset> ;
    dcterms:license <{LICENCE_IRI}> .

<{b}void#publisher> a foaf:Agent ;
    foaf:name "{publisher.replace(chr(92), '').replace('"', '')}" .

<{LICENCE_IRI}> a dcterms:LicenseDocument ;
    rdfs:label "Licence Ouverte 2.0 (etalab-2.0)"@fr, "Open Licence 2.0 (etalab-2.0)"@en ;
    dcterms:identifier "etalab-2.0" ;
    rdfs:seeAlso <{LICENCE_SPDX}> .
{dumps}
"""


NGINX = """# nginx: serve the cvgraph site with content negotiation on extension-less resource URIs.
# Put the published folder at {root} and include this in the server block of the host of
# {base}. A request for /contract/x with Accept: text/turtle gets contract/x.ttl, and so on;
# browsers get contract/x.html. Answers are direct (200) with Vary: Accept.
map $http_accept $cvgraph_ext {{
    default                      ".html";
    "~*text/turtle"              ".ttl";
    "~*application/ld\\+json"     ".jsonld";
    "~*application/n-triples"    ".nt";
}}
location {path} {{
    alias {root}/;
    types {{ text/turtle ttl; application/ld+json jsonld; application/n-triples nt; text/html html; }}
    add_header Vary Accept;
    try_files $uri$cvgraph_ext $uri $uri/index.html =404;
}}
# The SPARQL endpoint is `cvgraph serve`; proxy it:
location {path}sparql {{ proxy_pass http://127.0.0.1:8000/sparql; }}
"""

APACHE = """# Apache (.htaccess in the published folder, mod_rewrite and mod_headers on): content
# negotiation on extension-less resource URIs of {base}. Answers are direct, with Vary: Accept.
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
Options -MultiViews
RewriteEngine On
RewriteCond %{{HTTP_ACCEPT}} text/turtle
RewriteCond %{{REQUEST_FILENAME}}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json
RewriteCond %{{REQUEST_FILENAME}}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{{HTTP_ACCEPT}} application/n-triples
RewriteCond %{{REQUEST_FILENAME}}.nt -f
RewriteRule ^(.+)$ $1.nt [L]
RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
Header append Vary Accept
# The SPARQL endpoint is `cvgraph serve`: ProxyPass "{path}sparql" "http://127.0.0.1:8000/sparql"
"""


def retired_moves(site: Site) -> dict[str, str]:
    """Retired resource paths -> the path of their final successor (owl:deprecated, dcterms:isReplacedBy)."""
    replaced = DCT + "isReplacedBy"
    step = {t.subject.value: t.object.value for t in site.triples
            if t.predicate.value == replaced and isinstance(t.object, ox.NamedNode)}
    out = {}
    for old in step:
        new, seen = step[old], {old}
        while new in step and new not in seen:
            seen.add(new)
            new = step[new]
        if old.startswith(site.base) and new.startswith(site.base):
            out[old[len(site.base):]] = new[len(site.base):]
    return dict(sorted(out.items()))


def retired_tsv(site: Site) -> str:
    """The retired paths and their successors, one per line, for servers to answer with 301."""
    return "".join(f"{old}\t{new}\n" for old, new in retired_moves(site).items())


# --- writing -------------------------------------------------------------------------------------

def serialise(triples, fmt: ox.RdfFormat, base: str) -> bytes:
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    prefixes["id"] = base
    if fmt in (ox.RdfFormat.TURTLE,):
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)


def publish(out: Path, graph_path=None, base_uri: str | None = None, *, force: bool = False,
            publisher: str = "cvgraph", today: str | None = None, sources: Sources | None = None) -> PublishSummary:
    """Write the static site into `out` (refused when `out` holds files, unless force). With
    `sources`, the texts whose rights allow it are published too, one page each with an anchor
    per line, and every resource's provenance links to its line."""
    out = Path(out)
    base = check_base_uri(base_uri) if base_uri else None
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"{out}: folder is not empty (use --force to replace it)")
    graph_file(graph_path)  # a clear error when there is no build
    store = load_store(graph_path)
    source_base = graph_base(store)
    documents = documents_from_graph(store)
    triples, base = rebased_triples(graph_path, base, store)
    texts = text_states({base + iri[len(source_base):] if iri.startswith(source_base) else iri: info
                         for iri, info in documents.items()}, sources)
    ontology_file = resource_dir("ontology") / "cvgraph.ttl"
    ontology = list(ox.parse(path=str(ontology_file), format=ox.RdfFormat.TURTLE))
    site = Site(triples, base, ontology, texts)
    # the gaps (kept in a build folder) and each contract's matrix, for the reader pages
    from .gaps import categories, find_gaps
    from .pages import Reading, report_pages
    cats = categories()
    found = find_gaps(graph_path, store=store)
    reading = Reading(site, found, cats, source_base)
    reports = list(report_pages(reading, store, found, cats))
    del store
    today = today or dt.date.today().isoformat()
    counts = {"triples": len(triples), "resources": len(site.paths),
              "subjects": len({t.subject for t in triples}), "properties": len({t.predicate for t in triples}),
              "classes": len({t.object for t in triples if t.predicate.value == RDF_TYPE})}
    tmp = new_folder_beside(out)
    try:
        files = write_site(tmp, site, triples, ontology_file, ontology, counts, publisher, today, reading, reports)
        swap_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishSummary(out, base, len(site.paths), len(triples), files, site.skipped)


def write_site(root: Path, site: Site, triples, ontology_file: Path, ontology: list, counts: dict, publisher: str,
               today: str, reading=None, reports=()) -> int:
    written = 0

    def put(rel: str, data: bytes | str) -> None:
        nonlocal written
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(path, 0o644)
        written += 1

    for iri, path in progress(site.paths.items(), len(site.paths), "publish: pages"):
        description = site.out_edges[iri] + [t for t in site.in_edges.get(iri, ()) if t.subject.value != iri]
        put(path + ".html", resource_page(site, iri, reading))
        for ext, (_, fmt) in TWINS.items():
            put(f"{path}.{ext}", serialise(description, fmt, site.base))
    for doc, state in sorted(site.texts.items()):
        if state.text is not None and doc in site.paths:
            put(text_path(site.paths[doc]) + ".html", text_page(site, doc))
            put(text_path(site.paths[doc]) + ".txt", "\n".join(state.text) + "\n")
    for here, title, body in reports:
        put(here, page(title, here, body, head_extra=f"<style>body {{ max-width: none; }}\n{matrix_style()}</style>"))
    for segment, title in INDEXES.items():
        put(f"{segment}/index.html", index_page(site, segment, title))
    put("index.html", home_page(site, counts))
    put("query.html", query_page(site.base))
    for ext, (_, fmt) in TWINS.items():
        data = serialise(triples, fmt, site.base)
        put(f"dump/cvgraph.{ext}", data)
        put(f"dump/cvgraph.{ext}.gz", gzip.compress(data, mtime=0))
    put("ontology/cvgraph.ttl", ontology_file.read_bytes())
    put("ontology/index.html", ontology_page(ontology + triples, site))
    void = void_turtle(site, counts, publisher, today)
    put("void.ttl", void)
    put(".well-known/void", void)
    path = urlsplit(site.base).path or "/"
    put("deploy/retired.tsv", retired_tsv(site))
    put("deploy/nginx.conf", NGINX.format(base=site.base, root="/srv/cvgraph", path=path))
    put("deploy/apache.htaccess", APACHE.format(base=site.base, path=path))
    return written
