"""The pages of the published site that read like the contract: an orientation's page as its fiche,
a contract's page as its table of contents, and each contract's partner matrix and gap report.

These sections come before the generic property table of a resource's page (`publish.resource_page`);
each item links to its own page and to the line of the source text it comes from.
"""

from __future__ import annotations

import html
import posixpath
from collections import Counter, defaultdict

import pyoxigraph as ox

from .names import sort_key
from .validate import figure_value
from .vocab import CV, CVV, PHRASES

DCT = "http://purl.org/dc/terms/"
REPORTS = {"matrix": ("matrice.html", "Matrice des responsabilités des partenaires"),
           "gaps": ("manques.html", "Rapport des manques")}
FOLD = 8   # a category of more gaps than this is folded (<details>) in the highlighted box
KIND_ORDER = ("droit-commun", "specifique", "non-precise")
KIND_TITLES = {"droit-commun": "Droit commun", "specifique": "Crédits spécifiques",
               "non-precise": "Nature non précisée"}
e = html.escape


class Reading:
    """What the reader pages need beyond the triples: each contract's and orientation's IRI, the
    gaps found on each, and the paths of the contracts' report pages."""

    def __init__(self, site, gaps=(), cats=None, source_base: str | None = None):
        self.site = site
        self.cats = cats or {}
        self.source_base = source_base or site.base   # the base of the build, before a publish moves it
        self.contract_ids: dict[str, str] = {}         # contract IRI -> identifier
        self.orientations: dict[tuple[str, int], str] = {}   # (contract id, number) -> orientation IRI
        for iri in site.paths:
            if str(CV.Contract) in site.types(iri):
                ident = self.one(iri, DCT + "identifier")
                if ident:
                    self.contract_ids[iri] = ident
        by_id = {v: k for k, v in self.contract_ids.items()}
        for iri in site.paths:
            if str(CV.Orientation) in site.types(iri):
                contract, number = self.one(iri, str(CV.contract)), self.one(iri, str(CV.number))
                if contract in self.contract_ids and number and number.isdigit():
                    self.orientations[(self.contract_ids[contract], int(number))] = iri
        self.gaps: dict[str, list] = defaultdict(list)   # orientation or contract IRI -> its gaps
        for g in gaps:
            target = self.orientations.get((g.contract, int(g.orientation))) if g.orientation.isdigit() else None
            target = target or by_id.get(g.contract)
            if target:
                self.gaps[target].append(g)
        per_contract = Counter(g.contract for g in gaps)
        self.gap_totals = {c: per_contract[ident] for c, ident in self.contract_ids.items()}
        self.docs_by_file = {state.info.file: doc for doc, state in site.texts.items()}

    # --- triples ---
    def objects(self, iri: str, pred: str) -> list:
        return [t.object for t in self.site.out_edges.get(iri, ()) if t.predicate.value == pred]

    def one(self, iri: str, pred: str) -> str | None:
        values = sorted(o.value for o in self.objects(iri, pred))
        return values[0] if values else None

    def subjects(self, iri: str, pred: str, cls=None) -> list[str]:
        return [t.subject.value for t in self.site.in_edges.get(iri, ()) if t.predicate.value == pred
                and (cls is None or str(cls) in self.site.types(t.subject.value))]

    def report(self, contract: str, which: str) -> str:
        return f"report/{self.contract_ids[contract]}/{REPORTS[which][0]}"

    # --- pieces of HTML ---
    def link(self, iri: str, here: str, text: str | None = None) -> str:
        href = self.site.href(iri, here)
        label = e(text if text is not None else self.site.label(iri))
        return f'<a href="{e(href)}">{label}</a>' if href else label

    def source(self, iri: str, here: str) -> str:
        """ "l. 123", linked to the line of the text when the site shows it."""
        line = self.one(iri, str(CV.sourceLine))
        if not line:
            return ""
        doc = self.one(iri, DCT + "source")
        href = self.site.line_href(doc, line, here) if doc else None
        text = f"l. {e(line)}"
        return f' <a class="source-line" href="{e(href)}">{text}</a>' if href else f' <span class="source-line">{text}</span>'

    def flags(self, iri: str) -> str:
        return "".join(f' <span class="flag-inline" title="{e(f.value)}">⚑ {e(f.value)}</span>'
                       for f in self.objects(iri, str(CV.flag)))


def ranked(reading: Reading, iris) -> list[str]:
    def key(i):
        rank = reading.one(i, str(CV.rank)) or reading.one(i, str(CV.sourceLine)) or "0"
        return (int(rank) if rank.isdigit() else 0, reading.site.label(i))
    return sorted(iris, key=key)


def by_line(reading: Reading, iris) -> list[str]:
    def key(i):
        line = reading.one(i, str(CV.sourceLine)) or ""
        return (int(line) if line.isdigit() else 0, reading.site.label(i), i)
    return sorted(iris, key=key)


def gap_box(reading: Reading, iri: str, what: str, here: str) -> list[str]:
    """The gaps found on an orientation or a contract, highlighted, by category."""
    gaps = reading.gaps.get(iri, [])
    if not gaps:
        return [f'<p class="no-gap">Aucun manque relevé pour {what}.</p>']
    out = [f'<section class="gaps" id="manques"><h2>Manques relevés ({len(gaps)})</h2><ul>']
    lines = SiteLines(reading.site, here, reading.docs_by_file)
    by_gap: dict[str, list] = defaultdict(list)
    for g in gaps:
        by_gap[g.gap].append(g)
    for gid, rows in by_gap.items():
        cat = reading.cats.get(gid)
        severity = (cat.severity if cat else "Warning").lower()
        details = {g.detail for g in rows}
        common = f" : {e(rows[0].detail)}" if len(details) == 1 and all(g.subject for g in rows) else ""
        head = f'<strong>{e(cat.title if cat else gid)}</strong> <code>{e(gid)}</code> ({len(rows)}){common}'
        folded = len(rows) > FOLD
        out.append(f'<li class="gap gap-{e(severity)}">' + (f"<details><summary>{head}</summary><ul>" if folded
                                                            else f"{head}<ul>"))
        for g in rows:
            said = e(g.subject) if common else (f"{e(g.subject)} : {e(g.detail)}" if g.subject else e(g.detail))
            href = lines.url(g.file, g.line) if g.line else None
            where = (f'<a class="source-line" href="{e(href)}" title="{e(g.source)}">l. {e(g.line)}</a>' if href
                     else f'<span class="source">({e(g.source)})</span>')
            out.append(f"<li>{said} {where}</li>")
        out.append("</ul></details></li>" if folded else "</ul></li>")
    out.append("</ul></section>")
    return out


def orientation_fiche(reading: Reading, iri: str, here: str) -> str:
    """The orientation as its fiche: contract and axis, gaps, objectives, actions, pilots, associated
    services, funding lines by kind with their instruments, figures and indicators."""
    site = reading.site
    out = []
    contract = reading.one(iri, str(CV.contract))
    axis = reading.one(iri, str(CV.axis))
    facts = []
    if contract:
        facts.append(f"Contrat : {reading.link(contract, here)}")
    facts.append(f"Axe : {reading.link(axis, here)}" if axis else "Axe : non précisé par le texte")
    protocol = reading.one(iri, str(CV.protocolTitle))
    if protocol:
        facts.append(f"Titre au protocole : « {e(protocol)} »")
    out.append('<p class="fiche-facts">' + " · ".join(facts) + reading.source(iri, here) + "</p>")
    out += gap_box(reading, iri, "cette orientation", here)
    for cls, title in ((CV.Objective, "Objectifs"), (CV.Action, "Actions")):
        items = ranked(reading, reading.subjects(iri, str(CV.orientation), cls))
        out.append(f'<section class="fiche" id="{"objectifs" if cls == CV.Objective else "actions"}">'
                   f"<h2>{title} ({len(items)})</h2>")
        if items:
            out.append("<ol>" + "".join(f"<li>{e(site.label(i))}{reading.source(i, here)}</li>" for i in items) + "</ol>")
        else:
            out.append('<p class="empty">Aucun dans le texte.</p>')
        out.append("</section>")
    participations = reading.subjects(iri, str(CV.orientation), CV.Participation)
    for role, anchor, title in (("pilot", "pilotes", "Pilotes"), ("service", "services", "Services associés")):
        items = by_line(reading, [p for p in participations
                                  if reading.one(p, str(CV.role)) == f"{CVV}role/{role}"])
        out.append(f'<section class="fiche" id="{anchor}"><h2>{title} ({len(items)})</h2>')
        if items:
            out.append("<ul>")
            for p in items:
                who = reading.one(p, str(CV.participant))
                written = reading.one(p, str(CV.asWritten))
                shown = f' <span class="written">écrit « {e(written)} »</span>' if written and who and \
                    written != site.label(who) else ""
                out.append(f"<li>{reading.link(who, here) if who else '?'}{shown}{reading.source(p, here)}"
                           f"{reading.flags(p)}</li>")
            out.append("</ul>")
        else:
            out.append('<p class="empty">Aucun dans le texte.</p>')
        out.append("</section>")
    out += funding_section(reading, iri, here)
    figures = by_line(reading, reading.subjects(iri, str(CV.orientation), CV.Observation))
    out.append(f'<section class="fiche" id="donnees"><h2>Données chiffrées ({len(figures)})</h2>')
    if figures:
        out.append('<table class="figures"><thead><tr><th>Donnée</th>'
                   "<th>Valeur</th><th>Période</th><th>Source citée</th>"
                   "<th>Ligne</th></tr></thead><tbody>")
        for f in figures:
            unit = reading.one(f, str(CV.unit)) or ""
            value = figure_value(reading.one(f, str(CV.value)) or "", unit.rsplit("/", 1)[-1],
                                 site.label(unit) if unit else "")
            period = reading.one(f, str(CV.period)) or "non précisée"
            stated = reading.one(f, str(CV.statedSource)) or "non précisée"
            out.append(f"<tr><td>{reading.link(f, here)}{reading.flags(f)}</td>"
                       f'<td class="value">{e(value)}</td>'
                       f"<td>{e(period)}</td><td>{e(stated)}</td><td>{reading.source(f, here)}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append('<p class="empty">Aucune dans le texte.</p>')
    out.append("</section>")
    indicators = by_line(reading, reading.subjects(iri, str(CV.orientation), CV.Indicator))
    out.append(f'<section class="fiche" id="indicateurs"><h2>Indicateurs ({len(indicators)})</h2>')
    out.append("<ul>" + "".join(f"<li>{e(site.label(i))}{reading.source(i, here)}</li>" for i in indicators) + "</ul>"
               if indicators else '<p class="empty">Aucun dans le texte.</p>')
    out.append("</section>")
    return "\n".join(out)


def funding_section(reading: Reading, iri: str, here: str) -> list[str]:
    """The funding lines grouped droit commun / crédits spécifiques / non précisée, one line per
    funder and instrument, with the heading the text gives when it differs from the kind."""
    lines = reading.subjects(iri, str(CV.orientation), CV.FundingLine)
    out = [f'<section class="fiche" id="financements"><h2>Financements ({len(lines)})</h2>']
    if not lines:
        return out + ['<p class="empty">Aucun dans le texte.</p>', "</section>"]
    by_kind = defaultdict(list)
    for f in lines:
        kind = (reading.one(f, str(CV.fundingKind)) or "").rsplit("/", 1)[-1]
        by_kind[kind if kind in KIND_ORDER else "non-precise"].append(f)
    for kind in KIND_ORDER:
        if not by_kind.get(kind):
            continue
        out.append(f'<h3 class="kind-{kind}">{KIND_TITLES[kind]} ({len(by_kind[kind])})</h3><ul class="funding">')
        for f in by_line(reading, by_kind[kind]):
            funder = reading.one(f, str(CV.funder))
            instrument = reading.one(f, str(CV.instrument))
            parts = [reading.link(funder, here) if funder else "?", " — ",
                     reading.link(instrument, here) if instrument else '<span class="empty">sans dispositif</span>']
            notes = []
            if reading.one(f, str(CV.kindInferred)) == "true":
                notes.append("nature déduite du dispositif")
            heading = reading.one(f, str(CV.heading))
            if heading:
                notes.append(f"rubrique « {e(heading)} »")
            purpose = reading.one(f, str(CV.purpose))
            if purpose:
                notes.append(e(purpose))
            amount = reading.one(f, str(CV.amount))
            if amount:
                notes.append(f"{e(amount)} €")
            note = f' <span class="detail">({"; ".join(notes)})</span>' if notes else ""
            out.append(f'<li>{"".join(parts)}{note} {reading.link(f, here, "fiche de la ligne")}'
                       f"{reading.source(f, here)}{reading.flags(f)}</li>")
        out.append("</ul>")
    out.append(f'<p class="legend-kinds">{e(PHRASES["funding-kind"]["specifique"].capitalize())} : crédits de la '
               "politique de la ville ; droit commun : budgets ordinaires des signataires. Une rubrique ambiguë du "
               "texte est gardée telle qu’écrite ; la nature vient alors du dispositif, quand le registre le dit.</p>")
    out.append("</section>")
    return out


def contract_overview(reading: Reading, iri: str, here: str) -> str:
    """The contract as its table of contents: reports, axes and their orientations, signatories and
    their commitments."""
    site = reading.site
    out = []
    if iri in reading.contract_ids:
        total = reading.gap_totals.get(iri, 0)
        links = [f'<a href="{e(posixpath.relpath(reading.report(iri, "matrix"), posixpath.dirname(here)))}">'
                 f'{REPORTS["matrix"][1]}</a>',
                 f'<a href="{e(posixpath.relpath(reading.report(iri, "gaps"), posixpath.dirname(here)))}">'
                 f'{REPORTS["gaps"][1]}</a> ({total} manque{"s" if total != 1 else ""})']
        out.append('<nav class="reports"><h2>Rapports</h2><ul>' + "".join(f"<li>{x}</li>" for x in links) + "</ul></nav>")
    orientations = reading.subjects(iri, str(CV.contract), CV.Orientation)
    axes = by_line(reading, reading.subjects(iri, str(CV.contract), CV.Axis))

    def number(o):
        n = reading.one(o, str(CV.number)) or "0"
        return int(n) if n.isdigit() else 0
    out.append(f'<section class="toc" id="orientations"><h2>Axes et orientations ({len(orientations)} orientations)</h2>')
    placed = set()
    groups = [(a, sorted((o for o in orientations if reading.one(o, str(CV.axis)) == a), key=number)) for a in axes]
    loose = sorted((o for o in orientations if not reading.one(o, str(CV.axis))), key=number)
    if loose:
        groups.append((None, loose))
    for axis, items in groups:
        out.append(f"<h3>{reading.link(axis, here) if axis else 'Sans axe dans le texte'}</h3>")
        if not items:
            out.append('<p class="empty">Aucune orientation de cet axe dans le texte.</p>')
            continue
        out.append("<ol>")
        for o in items:
            placed.add(o)
            n_gaps = len(reading.gaps.get(o, []))
            badge = f' <span class="count">{n_gaps} manque{"s" if n_gaps != 1 else ""}</span>' if n_gaps else ""
            out.append(f'<li value="{number(o)}">{reading.link(o, here, f"O{number(o)} – " + (reading.one(o, str(CV.title)) or site.label(o)))}'
                       f"{badge}</li>")
        out.append("</ol>")
    if not orientations:
        out.append('<p class="empty">Les sources de ce contrat ne décrivent aucune orientation.</p>')
    out.append("</section>")
    signatories = sorted(reading.objects(iri, str(CV.signatory)), key=lambda s: sort_key(site.label(s.value)))
    commitments = {reading.one(c, str(CV.signatory)): c
                   for c in reading.subjects(iri, str(CV.contract), CV.SignatoryCommitment)}
    out.append(f'<section class="toc" id="signataires"><h2>Signataires ({len(signatories)})</h2><ul class="signatories">')
    for s in signatories:
        commitment = commitments.get(s.value)
        text = ""
        if commitment:
            items = ranked(reading, [o.value for o in reading.objects(commitment, str(CV.item))])
            text = (f" – {reading.link(commitment, here, f'engagements ({len(items)})')}" if items
                    else f" – {reading.link(commitment, here, 'signature')}")
            if items:
                text += ("<details><summary>Lire les engagements</summary><ol>"
                         + "".join(f"<li>{e(site.label(i))}{reading.source(i, here)}</li>" for i in items)
                         + "</ol></details>")
            text += reading.flags(commitment)
        out.append(f"<li>{reading.link(s.value, here)}{text}</li>")
    out.append("</ul></section>")
    if reading.gaps.get(iri):   # the gaps of the contract as a whole (its signatories, its territory's figures)
        out += [g.replace("Manques relevés", "Manques relevés hors des orientations", 1)
                for g in gap_box(reading, iri, "le contrat", here)]
    return "\n".join(out)


CSS = """
.fiche-facts { color: #333; } .source-line { font-size: .8em; color: #555; margin-left: .3em; }
.gaps { background: #fff4f0; border-left: 4px solid #c0392b; padding: .2em 1em .6em; margin: 1em 0; }
.gaps h2 { border: 0; color: #a1281b; } li.gap-info { color: #555; } .no-gap { color: #2d6a2d; }
.flag-inline { background: #fff4d6; font-size: .8em; padding: 0 .3em; }
.empty { color: #777; font-style: italic; } .written { color: #555; font-size: .9em; }
ul.funding li { margin: .2em 0; } .detail { color: #444; font-size: .9em; }
h3.kind-droit-commun { color: #b35900; } h3.kind-specifique { color: #a1281b; } h3.kind-non-precise { color: #5b3f8c; }
nav.reports ul { list-style: none; padding: 0; } nav.reports li { display: inline-block; margin-right: 2em; font-weight: 600; }
.count { background: #fde2dc; border-radius: 3px; font-size: .8em; padding: 0 .4em; margin-left: .4em; }
table.figures th { width: auto; } td.value { white-space: nowrap; text-align: right; }
li.gap:has(> details) { list-style: none; }
ul.signatories details { margin: .2em 0 .6em 1em; font-size: .95em; }
"""


class SiteLines:
    """`url(file, line)`: the link from the page at `here` to a line of a source text on the site,
    for the gap report (it names documents by file name)."""

    def __init__(self, site, here: str, docs: dict[str, str] | None = None):
        self.site, self.here = site, here
        self.docs = docs if docs is not None else {state.info.file: doc for doc, state in site.texts.items()}

    def url(self, file: str, line) -> str | None:
        doc = self.docs.get(file)
        if doc is None or not str(line).strip().isdigit():
            return None
        return self.site.line_href(doc, line, self.here)


def report_pages(reading: Reading, store: ox.Store | None, found, cats):
    """(path, title, body) of each contract's matrix and gap report for the site."""
    from .gaps import gap_report
    from .matrix import build_matrix, html_body, orientations_of

    site = reading.site
    by_contract = defaultdict(list)
    for g in found:
        by_contract[g.contract].append(g)
    for iri, ident in sorted(reading.contract_ids.items(), key=lambda kv: kv[1]):
        here = reading.report(iri, "matrix")
        back = reading.link(iri, here)
        if store is not None and orientations_of(store, ident):
            matrix = build_matrix(store, ident)
            body = html_body([matrix], href=lambda p, here=here: site.href(site.base + p[len(reading.source_base):], here)
                             if p.startswith(reading.source_base) else p)
        else:
            body = '<p class="empty">Les sources de ce contrat ne décrivent aucune orientation : pas de matrice.</p>'
        yield here, f"{REPORTS['matrix'][1]} – {ident}", f"<h1>{REPORTS['matrix'][1]}</h1><p>{back}</p>{body}"
        here = reading.report(iri, "gaps")
        back = reading.link(iri, here)
        mine = by_contract[ident]
        body = gap_report(mine, cats, "html", "", SiteLines(site, here, reading.docs_by_file), whole_page=False)
        yield here, f"{REPORTS['gaps'][1]} – {ident}", f"<h1>{REPORTS['gaps'][1]}</h1><p>{back}</p>{body}"
