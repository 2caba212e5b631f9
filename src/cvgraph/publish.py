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

import gzip
import json
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
from .deploy import apache_htaccess, nginx_conf, w3id_htaccess
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
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
LINK_PREDICATES = (RDFS_SEE_ALSO, "http://www.w3.org/2002/07/owl#sameAs")
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


def check_base_uri(base: str, option: str = "--base-uri") -> str:
    """An absolute http(s) IRI ending with '/' (one is added when missing)."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or re.search(r"[\s<>\"{}|\\^`]", base):
        raise UsageError(f"{option} {base!r}: expected an absolute http(s) IRI such as https://example.org/cvgraph/")
    return base if base.endswith("/") else base + "/"


def release_of(graph_path) -> dict:
    """The release record the build kept (data/release.yaml); {} for an RDF file or an older build."""
    from .graph import default_build_dir
    from .store import read_meta

    folder = Path(graph_path) if graph_path else default_build_dir()
    meta = read_meta(folder) if folder.is_dir() else None
    release = (meta or {}).get("release")
    return release if isinstance(release, dict) else {}


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
        return relative(target, here)

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
        return relative(text_path(self.paths[doc]) + ".html", here) + anchor

    def types(self, iri: str) -> list[str]:
        return [t.object.value for t in self.out_edges.get(iri, ()) if t.predicate.value == RDF_TYPE]


def shapes_graph():
    """The SHACL shapes of cvgraph (validity and completeness) as one graph, for the site."""
    from rdflib import Graph

    g = Graph()
    for f in sorted(resource_dir("shapes").glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


def shapes_page(shapes) -> str:
    """shapes/index.html: each shape with its target, its message and its severity."""
    from rdflib import URIRef
    from rdflib.namespace import RDF as R, SH

    e = html.escape
    body = ["<h1>Formes SHACL de cvgraph</h1>",
            '<p class="iri">https://w3id.org/cvgraph/shapes</p><p>Turtle : <a href="cvgraph.ttl">cvgraph.ttl</a>. '
            "Validité (<code>sh:Violation</code>) et complétude (<code>sh:Warning</code>, chaque forme nomme sa "
            "catégorie de manque).</p><table><thead><tr><th>Forme</th><th>Cible</th><th>Message</th>"
            "<th>Gravité</th></tr></thead><tbody>"]
    for shape in sorted(set(shapes.subjects(R.type, SH.NodeShape)) | set(shapes.subjects(SH.path, None)), key=str):
        if not str(shape).startswith("http"):
            continue
        target = shapes.value(shape, SH.targetClass) or shapes.value(shape, SH.path) or ""
        target = target if isinstance(target, URIRef) else ""   # a path of several steps: not shown
        messages = sorted(str(m) for m in shapes.objects(shape, SH.message) if getattr(m, "language", None) in ("fr", None))
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        local = str(shape).rsplit("#", 1)[-1]
        body.append(f'<tr id="{e(local)}"><td><code>{e(local)}</code></td><td class="iri">{e(compact(str(target)))}</td>'
                    f"<td>{e(' '.join(messages))}</td><td>{e(severity)}</td></tr>")
    body.append("</tbody></table>")
    return page("Formes SHACL", "shapes/index.html", "\n".join(body))


def relative(target: str, here: str) -> str:
    """The link from the page at site path `here` to the site path `target` (both plain relative
    POSIX paths, as the site's are): posixpath.relpath's answer, without its cost (it resolves
    both against the working folder, a million times in a national publish)."""
    start = here.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < len(start) and common < len(parts) - 1 and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:])


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

def void_turtle(site: Site, counts: dict, release: dict, publisher: str | None = None,
                endpoint: str | None = None) -> str:
    """void.ttl: the VoID and DCAT-AP 3.0.1 description of the dataset (`cvgraph.dcat`)."""
    from .dcat import describe

    examples = [i for i, p in sorted(site.paths.items(), key=lambda kv: kv[1])
                if re.fullmatch(r"contract/[^/]+(/orientation/\d+)?", p)][:3]
    years = [int(t.object.value) for t in site.triples if t.predicate.value in (str(CV.startYear), str(CV.endYear))
             and t.object.value.isdigit()]
    # the links out (data/reference/links.yaml): by predicate and target host
    links: dict[tuple[str, str], int] = {}
    for t in site.triples:
        if t.predicate.value in LINK_PREDICATES and isinstance(t.object, ox.NamedNode) \
                and t.subject.value.startswith(site.base) and not t.object.value.startswith(site.base):
            parts = urlsplit(t.object.value)
            key = (t.predicate.value, f"{parts.scheme}://{parts.netloc}/")
            links[key] = links.get(key, 0) + 1
    graph = describe(site.base, counts, release, publisher=publisher, endpoint=endpoint, examples=examples,
                     period=(min(years), max(years)) if years else None, linksets=links)
    return graph.serialize(format="turtle")


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
    """Turtle with `@base` and relative IRIs under the prefixes of the ontology; JSON-LD compacted
    against the site's `context.jsonld`; N-Triples as they are."""
    # not cvv: its IRIs have a path (vocab/role/pilot), which a prefixed name writes "cvv:role\/pilot"
    prefixes = {k: str(v) for k, v in PREFIXES.items() if k != "cvv"}
    if fmt == ox.RdfFormat.TURTLE:
        text = ox.serialize(triples, format=fmt, prefixes=prefixes, base_iri=base).decode("utf-8")
        # pyoxigraph writes the prefixes relative to the base ("@prefix cv: </cvgraph/ontology#>"): absolute
        # ones read the same anywhere
        lines = text.split("\n")
        head = [line for line in lines if line.startswith("@prefix ")]
        declared = sorted(f"@prefix {name}: <{prefixes[name]}> ." for name in
                          (re.match(r"@prefix (\w+):", line).group(1) for line in head))
        rest = [line for line in lines if not line.startswith("@prefix ")]
        return "\n".join(rest[:1] + declared + rest[1:]).encode("utf-8")
    if fmt == ox.RdfFormat.JSON_LD:
        return compact_jsonld(triples, base)
    return ox.serialize(triples, format=fmt)


def jsonld_context(base: str) -> dict:
    """The site's JSON-LD context (`context.jsonld`): the ontology's prefixes and `id` for the base."""
    return {"@context": {"id": base, **{k: str(v) for k, v in sorted(PREFIXES.items())}}}


def compact_jsonld(triples, base: str) -> bytes:
    """JSON-LD compacted against the site's context (`context.jsonld`), written inline so that any
    reader parses it offline: `cvgraph export`'s writer (one node object per subject, compact IRIs
    such as `cv:title`, `id:contract/x`), on the triples in a stable order."""
    from .export import jsonld_parts

    ordered = sorted(triples, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    return "".join(jsonld_parts(ordered, jsonld_context(base)["@context"])).encode("utf-8")


def about(doc: str, topic: str, base: str) -> list[ox.Triple]:
    """What a twin says of itself: its primary topic, its dataset and its licence."""
    from .dcat import LICENCE

    d = ox.NamedNode(doc)
    return [ox.Triple(d, ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic"), ox.NamedNode(topic)),
            ox.Triple(d, ox.NamedNode("http://rdfs.org/ns/void#inDataset"), ox.NamedNode(base + "void#dataset")),
            ox.Triple(d, ox.NamedNode(DCT + "license"), ox.NamedNode(str(LICENCE)))]


def publish(out: Path, graph_path=None, base_uri: str | None = None, *, force: bool = False,
            publisher: str | None = None, sources: Sources | None = None,
            sparql_endpoint: str | None = None, hosted_at: str | None = None) -> PublishSummary:
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
    release = release_of(graph_path)
    if sparql_endpoint is not None:
        sparql_endpoint = check_base_uri(sparql_endpoint, "--sparql-endpoint").rstrip("/")
    if hosted_at is not None:
        hosted_at = check_base_uri(hosted_at, "--hosted-at")
    counts = {"triples": len(triples), "resources": len(site.paths),
              "subjects": len({t.subject for t in triples}), "properties": len({t.predicate for t in triples}),
              "classes": len({t.object for t in triples if t.predicate.value == RDF_TYPE})}
    tmp = new_folder_beside(out)
    try:
        files = write_site(tmp, site, triples, ontology_file, ontology, counts,
                           void_turtle(site, counts, release, publisher, sparql_endpoint), reading, reports,
                           hosted_at)
        swap_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishSummary(out, base, len(site.paths), len(triples), files, site.skipped)


def write_site(root: Path, site: Site, triples, ontology_file: Path, ontology: list, counts: dict, void: str,
               reading=None, reports=(), hosted_at: str | None = None) -> int:
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
            put(f"{path}.{ext}", serialise(description + about(f"{site.base}{path}.{ext}", iri, site.base),
                                           fmt, site.base))
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
    put("context.jsonld", json.dumps(jsonld_context(site.base), indent=1) + "\n")
    put("ontology/cvgraph.ttl", ontology_file.read_bytes())
    put("ontology/index.html", ontology_page(ontology + triples, site))
    put("void.ttl", void)
    put(".well-known/void", void)
    # the description's own IRI (<base>void, holding #catalog and #dataset) resolves like a resource's
    described = list(ox.parse(void.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    put("void.nt", serialise(described, ox.RdfFormat.N_TRIPLES, site.base))
    put("void.jsonld", serialise(described, ox.RdfFormat.JSON_LD, site.base))
    put("void.html", page("Description du jeu de données", "void.html",
                          "<h1>Description du jeu de données</h1><p>Le catalogue, le jeu de données et ses "
                          "distributions décrits en VoID et DCAT-AP 3.0.1 (<a href=\"void.ttl\">Turtle</a>, "
                          "<a href=\"void.jsonld\">JSON-LD</a>, <a href=\"void.nt\">N-Triples</a>).</p>"
                          f"<pre>{html.escape(void)}</pre>"))
    moves = retired_moves(site)
    put("deploy/retired.tsv", retired_tsv(site))
    put("deploy/nginx.conf", nginx_conf(site.base, "/srv/cvgraph", moves))
    put("deploy/apache.htaccess", apache_htaccess(site.base, moves))
    if hosted_at or not site.base.startswith("https://w3id.org/"):   # (w3id.org cannot send to itself)
        put("deploy/w3id.htaccess", w3id_htaccess(hosted_at or site.base))
    shapes = shapes_graph()
    put("shapes/cvgraph.ttl", shapes.serialize(format="turtle"))
    put("shapes/index.html", shapes_page(shapes))
    return written
