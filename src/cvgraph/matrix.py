"""The partner-responsibility matrix: partners × orientations, each cell the partner's roles there.

Built from the `partner-roles` and `signatories` queries, so that the matrix and the query library
always agree. Roles: pilot, service (service associé), funder-dc (droit commun), funder-sp
(crédits spécifiques), funder (kind not stated). A row total is the number of orientations where
the partner holds at least one role; a column total is the number of partners engaged in the
orientation.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import UsageError
from .names import sort_key
from .output import csv_text, md_table
from .query import run_select
from .store import catalogue
from .tables import sheet_name

# role -> (letter, French label, English label, fill colour)
ROLES = {
    "pilot": ("P", "Pilote", "pilot", "1F77B4"),
    "service": ("S", "Service associé", "associated service", "2CA02C"),
    "funder-dc": ("D", "Financeur (droit commun)", "funder, mainstream credits", "FF7F0E"),
    "funder-sp": ("C", "Financeur (crédits spécifiques)", "funder, specific credits", "D62728"),
    "funder": ("F", "Financeur (nature non précisée)", "funder, kind not stated", "9467BD"),
}
PRIORITY = list(ROLES)  # the colour of a cell is that of its first role in this order
LEVELS = ("organisation", "unit")


@dataclass
class Matrix:
    contract: str
    title: str
    orientations: list[tuple[int, str]]           # (number, title)
    rows: list[dict] = field(default_factory=list)  # partner, label, signatory, cells {number: [roles]}

    @property
    def header(self) -> list[str]:
        return ["partner", "partner_label", "signatory"] + [f"O{n}" for n, _ in self.orientations]

    def cell(self, row: dict, number: int) -> str:
        return ";".join(sorted(row["cells"].get(number, ())))

    def row_total(self, row: dict) -> int:
        return sum(1 for roles in row["cells"].values() if roles)

    def column_total(self, number: int) -> int:
        return sum(1 for row in self.rows if row["cells"].get(number))

    def csv_rows(self) -> list[list[str]]:
        return [[r["partner"], r["label"], "yes" if r["signatory"] else ""]
                + [self.cell(r, n) for n, _ in self.orientations] for r in self.rows]


def contracts_with_titles(store: ox.Store) -> dict[str, str]:
    query = """PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?id ?title WHERE { ?c a cv:Contract ; dcterms:identifier ?id .
      OPTIONAL { ?c dcterms:title ?title FILTER(lang(?title) = "fr") } } ORDER BY ?id"""
    return {s["id"].value: (s["title"].value if s["title"] else "") for s in store.query(query)}


def orientations_of(store: ox.Store, contract: str) -> list[tuple[int, str]]:
    query = """PREFIX cv: <https://w3id.org/cvgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?id ?n ?title WHERE { ?c dcterms:identifier ?id ; a cv:Contract . ?o cv:contract ?c ; cv:number ?n ;
      cv:title ?title } ORDER BY ?n"""
    solutions = store.query(query, substitutions={ox.Variable("id"): ox.Literal(contract)})
    return [(int(s["n"].value), s["title"].value) for s in solutions]


ROLL_UP = ("Niveau organisation : les rôles d’un service figurent sur la ligne de l’organisation la plus "
           "proche dont il relève qui signe le contrat (l’Éducation nationale garde sa ligne, la DDETS va à "
           "l’État), sinon sur celle de son organisation de tête ; les rôles d’un groupe nommé dans les fiches "
           "(« Bailleurs sociaux ») figurent sur la ligne de chacun de ses membres qui signe le contrat, comme le "
           "rapport des manques les compte (un signataire membre d’un groupe qui a un rôle n’est pas « sans "
           "rôle »). Niveau service : chaque service et chaque groupe a sa ligne.")


def build_matrix(store: ox.Store, contract: str, level: str = "organisation") -> Matrix:
    """The matrix of one contract, one row per signatory at least. At `level` organisation, a
    unit's roles go to its nearest ancestor (or itself) that signs the contract, else to its
    top-level organisation; a group's roles go to each of its members that signs the contract (the
    rule of the gap report's signatory-without-role), the group keeping a row of its own only when
    none of them signs. At `level` unit, every unit and group has its own row."""
    if level not in LEVELS:
        raise UsageError(f"--level {level!r}: expected one of {', '.join(LEVELS)}")
    catalogue(store).check(contract)
    titles = contracts_with_titles(store)
    matrix = Matrix(contract, titles[contract], orientations_of(store, contract))
    variables, rows = run_select(store, "signatories", contract=contract)
    col = {v: i for i, v in enumerate(variables)}
    signing = list(dict.fromkeys(r[col["signatory"]] for r in rows))
    names = labels(store)
    parents, members = direct_parents(store), group_members(store)
    partners: dict[str, dict] = {}

    def row(iri: str) -> dict:
        return partners.setdefault(iri, {"partner": iri, "label": names.get(iri, iri), "signatory": False, "cells": {}})

    def rows_of(unit: str) -> list[str]:
        if level == "unit":
            return [unit]
        signing_members = [m for m in members.get(unit, ()) if m in signing]
        if signing_members:
            return signing_members
        node, seen = unit, set()
        while True:
            if node in signing:
                return [node]
            seen.add(node)
            up = parents.get(node)
            if up is None or up in seen:
                return [node]   # the top-level organisation
            node = up

    variables, rows = run_select(store, "partner-roles", contract=contract)
    col = {v: i for i, v in enumerate(variables)}
    for r in rows:
        for iri in rows_of(r[col["unit"]]):
            row(iri)["cells"].setdefault(int(r[col["orientation"]]), set()).add(r[col["role"]])
    for iri in signing:
        row(iri)["signatory"] = True
    matrix.rows = sorted(partners.values(), key=lambda e: (sort_key(e["label"]), e["label"], e["partner"]))
    return matrix


def direct_parents(store: ox.Store) -> dict[str, str]:
    query = "SELECT ?unit ?parent WHERE { ?unit <http://www.w3.org/ns/org#subOrganizationOf> ?parent }"
    return {s["unit"].value: s["parent"].value for s in store.query(query)}


def group_members(store: ox.Store) -> dict[str, list[str]]:
    query = "SELECT ?group ?member WHERE { ?group <https://w3id.org/cvgraph/ontology#groupMember> ?member }"
    out: dict[str, list[str]] = {}
    for s in store.query(query):
        out.setdefault(s["group"].value, []).append(s["member"].value)
    return out


def labels(store: ox.Store) -> dict[str, str]:
    query = "SELECT ?o ?l WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    return {s["o"].value: s["l"].value for s in store.query(query)}


def matrices(store: ox.Store, contract: str | None, level: str) -> list[Matrix]:
    """One matrix per contract asked for: the one given, else every contract with orientations."""
    if contract:
        return [build_matrix(store, contract, level)]
    return [build_matrix(store, c, level) for c in contracts_with_titles(store) if orientations_of(store, c)]


def letters(roles) -> str:
    return "".join(ROLES[r][0] for r in PRIORITY if r in roles)


# --- writers ---------------------------------------------------------------------------------

def to_csv(matrix: Matrix) -> str:
    return csv_text(matrix.header, matrix.csv_rows())


def legend_lines() -> list[str]:
    return [f"{letter} = {fr} ({role})" for role, (letter, fr, _en, _c) in ROLES.items()]


def to_md(ms: list[Matrix]) -> str:
    out = []
    for m in ms:
        out.append(f"# Matrice des responsabilités – {m.contract}\n\n{m.title}\n")
        header = ["Partenaire", "Signataire"] + [f"O{n}" for n, _ in m.orientations] + ["Total"]
        rows = [[r["label"], "oui" if r["signatory"] else ""]
                + [letters(r["cells"].get(n, ())) for n, _ in m.orientations] + [m.row_total(r)]
                for r in m.rows]
        rows.append(["**Total**", sum(1 for r in m.rows if r["signatory"])]
                    + [m.column_total(n) for n, _ in m.orientations] + [""])
        out.append(md_table(header, rows))
        out.append("Orientations : " + " ; ".join(f"O{n} {t}" for n, t in m.orientations) + "\n")
    out.append("Légende : " + " ; ".join(legend_lines())
               + ". Total d’une ligne : orientations où le partenaire a au moins un rôle ; "
               "d’une colonne : partenaires engagés dans l’orientation. " + ROLL_UP + "\n")
    return "\n".join(out)


def html_style() -> str:
    css = "\n".join(f".r-{role} {{ background: #{colour}; }}" for role, (_, _, _, colour) in ROLES.items())
    return "\n".join([
        "table.matrix { border-collapse: collapse; margin-bottom: 1em; width: auto; }",
        "table.matrix th, table.matrix td { border: 1px solid #777; padding: 2px 6px; text-align: center; font-size: 13px; width: auto; }",
        "table.matrix th.partner, table.matrix td.partner { text-align: left; min-width: 16em; }",
        ".matrix-wrap { overflow-x: auto; }",
        "table.matrix thead th { position: sticky; top: 0; background: #eee; }",
        "td.roles { white-space: nowrap; }",
        "td.roles span { display: inline-block; min-width: 1.3em; margin: 1px; color: #fff;"
        " font-weight: bold; border-radius: 3px; }",
        "table.matrix tfoot td { font-weight: bold; background: #f4f4f4; }",
        "dl.legend dt { display: inline-block; width: 1.6em; color: #fff; font-weight: bold;"
        " text-align: center; border-radius: 3px; }",
        "dl.legend dd { display: inline; margin: 0 1.5em 0 0.4em; }",
        css, "@media print { table.matrix thead th { position: static; } }"])


def html_body(ms: list[Matrix], href=lambda iri: iri) -> str:
    """The legend and one table per matrix; `href` gives the link of a partner's IRI."""
    e = html.escape
    legend = "".join(f'<dt class="r-{role}">{letter}</dt><dd>{e(fr)}</dd>'
                     for role, (letter, fr, _en, _c) in ROLES.items())
    parts = [f'<dl class="legend" aria-label="Légende">{legend}</dl>',
             "<p>Total d’une ligne : nombre d’orientations où le partenaire a au moins un rôle ; "
             "total d’une colonne : nombre de partenaires engagés dans l’orientation. "
             "Chaque rôle est écrit en lettre, la couleur n’est qu’un repère.</p>",
             f"<p>{e(ROLL_UP)}</p>"]
    for m in ms:
        parts.append(f'<section id="{e(m.contract)}"><h2>{e(m.title)} <small>({e(m.contract)})</small></h2>')
        parts.append("<div class=\"matrix-wrap\"><table class=\"matrix\"><thead><tr><th class=\"partner\" scope=\"col\">Partenaire</th>"
                     "<th scope=\"col\">Signataire</th>"
                     + "".join(f'<th scope="col" title="{e(t)}">O{n}</th>' for n, t in m.orientations)
                     + "<th scope=\"col\">Total</th></tr></thead><tbody>")
        for r in m.rows:
            cells = []
            for n, _ in m.orientations:
                roles = r["cells"].get(n, ())
                spans = "".join(f'<span class="r-{role}" title="{e(ROLES[role][1])}">{ROLES[role][0]}</span>'
                                for role in PRIORITY if role in roles)
                cells.append(f'<td class="roles">{spans}</td>')
            link = href(r["partner"])
            name = f'<a href="{e(link)}">{e(r["label"])}</a>' if link else e(r["label"])
            parts.append(f'<tr><th class="partner" scope="row">{name}</th>'
                         f'<td>{"oui" if r["signatory"] else ""}</td>{"".join(cells)}<td>{m.row_total(r)}</td></tr>')
        parts.append("</tbody><tfoot><tr><td class=\"partner\">Total</td>"
                     f"<td>{sum(1 for r in m.rows if r['signatory'])}</td>"
                     + "".join(f"<td>{m.column_total(n)}</td>" for n, _ in m.orientations)
                     + "<td></td></tr></tfoot></table></div>")
        parts.append("<details><summary>Orientations</summary><ol>"
                     + "".join(f'<li value="{n}">{e(t)}</li>' for n, t in m.orientations)
                     + "</ol></details></section>")
    return "\n".join(parts)


def to_html(ms: list[Matrix]) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
        "<title>Matrice des responsabilités des partenaires</title>",
        "<style>", "body { font-family: system-ui, sans-serif; margin: 1.5em; color: #111; }", html_style(),
        "</style></head><body>", "<h1>Matrice des responsabilités des partenaires</h1>",
        html_body(ms), "</body></html>"]) + "\n"


def to_xlsx(ms: list[Matrix]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    used_names: set[str] = set()
    for m in ms:
        name = sheet_name(m.contract, used_names)
        ws = wb.create_sheet(name)
        header = ["Partenaire", "IRI", "Signataire"] + [f"O{n}" for n, _ in m.orientations] + ["Total"]
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
        for i, (_n, title) in enumerate(m.orientations):
            ws.cell(row=1, column=4 + i).comment = Comment(title, "cvgraph")
        for r in m.rows:   # each cell: the letters of the html matrix, its colour, the roles in French
            ws.append([r["label"], r["partner"], "oui" if r["signatory"] else ""]
                      + [letters(r["cells"].get(n, ())) for n, _ in m.orientations] + [m.row_total(r)])
            row = ws.max_row
            for i, (n, _t) in enumerate(m.orientations):
                roles = r["cells"].get(n, ())
                first = next((role for role in PRIORITY if role in roles), None)
                if first:
                    cell = ws.cell(row=row, column=4 + i)
                    cell.fill = PatternFill("solid", fgColor=ROLES[first][3])
                    cell.font = Font(color="FFFFFF", bold=True)
                    cell.alignment = Alignment(horizontal="center")
                    cell.comment = Comment(" ; ".join(ROLES[role][1] for role in PRIORITY if role in roles), "cvgraph")
        ws.append(["Total", "", sum(1 for r in m.rows if r["signatory"])]
                  + [m.column_total(n) for n, _ in m.orientations] + [""])
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.freeze_panes = "D2"
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 30
        ws.column_dimensions["C"].width = 11
        for i in range(len(m.orientations) + 1):
            ws.column_dimensions[get_column_letter(4 + i)].width = 6
        ws.auto_filter.ref = f"A1:{ws.cell(row=ws.max_row - 1, column=len(header)).coordinate}"
    legend = wb.create_sheet("Légende")
    legend.append(["Rôle", "Lettre", "Libellé", "Label (en)"])
    for cell in legend[1]:
        cell.font = bold
    for role, (letter, fr, en, colour) in ROLES.items():
        legend.append([role, letter, fr, en])
        legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=colour)
        legend.cell(row=legend.max_row, column=1).font = Font(color="FFFFFF", bold=True)
    legend.append([])
    legend.append(["Une cellule donne les lettres des rôles du partenaire dans l’orientation (leurs noms en "
                   "commentaire) ; sa couleur est celle du premier rôle dans l’ordre ci-dessus."])
    legend.append(["Total d’une ligne : orientations où le partenaire a au moins un rôle ; "
                   "d’une colonne : partenaires engagés dans l’orientation."])
    legend.append([ROLL_UP])
    legend.append([])
    for m in ms:
        legend.append([f"Orientations – {m.contract}"])
        legend.cell(row=legend.max_row, column=1).font = bold
        for n, title in m.orientations:
            legend.append([f"O{n}", title])
    legend.column_dimensions["A"].width = 24
    legend.column_dimensions["C"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
