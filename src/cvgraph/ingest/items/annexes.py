"""What a contract's annexes hold by orientation: a funding table set out by orientation (the
"maquette financière"), its rows in a column of orientations or under a row naming each; a matrix
of responsibilities (a column per partner, "P" or "A" in its cells); and indicators grouped by
orientations."""

from __future__ import annotations

import re

from ..reading import BREAK, Line, items, join_cut_words, key_of
from ..naming import split_list
from ..sections import (ANNEX, INDICATOR_GROUP, ORIENTATION_CELL, RUN, funding_table_header, kind_headers,
                        orientation_table_header, table_cells)
from .base import ReaderBase


def cells_apart(header: str):
    """For a table whose header is `header`: the first cell of a row, and the row without it (in
    the place of its cells: blanked in a table of columns of spaces, dropped from a table read as
    cells "| 1.1 | État | … |")."""
    if " | " in header or header.strip().startswith("|"):
        def cells(text: str) -> list[str]:   # "1 | État | …", " | CAF | …" (the first cell empty)
            t = text.strip()
            t = t[1:-1] if t.startswith("|") and t.endswith("|") else t
            return [c.strip() for c in t.split("|")]

        return (lambda text: cells(text)[0]), (lambda text: " | ".join(cells(text)[1:]))
    runs = list(RUN.finditer(header))
    width = runs[1].start() if len(runs) > 1 else len(header)

    def first(text: str) -> re.Match | None:
        # the first cell: a run of text that starts well before the second column (a tool's columns
        # move by a character or two: " 1   État" under " N°   Financeur"); a line across the
        # columns ("Pilier 2 – Cadre de vie …") is a first cell too, no orientation's
        m = re.match(r"^\s*(\S+(?: \S+)*)", text)
        return m if m and m.start(1) < width - 2 else None

    return (lambda text: first(text).group(1) if first(text) else ""), \
        (lambda text: " " * first(text).end(1) + text[first(text).end(1):] if first(text) else text)


# a row of a table that opens an orientation's rows: "Orientation n°1 – Réussite éducative", "Axe 2 :"
GROUP_ROW = re.compile(r"^(?:orientations?|axes?|objectifs?|fiches?|priorites?)(?:\s+(?:strategiques?|operationnel(?:le)?s?))?"
                       r"\s*(?:n\s*°\s*|no\s+)?(\d{1,2})(?:\s*[–—:.-]\s*\S.*)?$")
# a matrix's legend: "P = pilote ; C = co-pilote ; A = partenaire associé"
MARK = re.compile(r"(?<![\w])([A-Z]{1,3})\s*[=:]\s*((?i:co-?pilotes?|pilotes?|chefs? de file|porteurs?|partenaires?(?: associ[ée]s?)?"
                  r"|associ[ée]s?|contributeurs?))\b")
# an abbreviation a legend explains: "EPCI : GrandAngoulême", "Angoul. : Ville d'Angoulême"
ABBREVIATION = re.compile(r"(?:^|(?<=\s\s))([A-ZÀ-Ý][\w.’'-]{0,11})\s:\s")


# a matrix's code of the kind of funding: "DC", "CS", "PV", "DC+CS", "(DC)" (to be confirmed)
_KIND_CODE = re.compile(r"\(?(?:DC|CS|PV)(?:\s*[+/]\s*(?:DC|CS|PV))?\)?")


def group_row(text: str) -> int | None:
    """The orientation a row of one cell opens ("Orientation n°2 – Emploi, formation"), or None."""
    t = text.strip()
    m = GROUP_ROW.match(key_of(t)) if t and not re.search(r"\S\s{3,}\S", t) else None
    return int(m.group(1)) if m else None


def mark_roles(lines: list[Line]) -> dict[str, str]:
    """The roles a matrix's marks stand for, as its legend says: {"P": "pilot", "A": "service"}."""
    out = {}
    for line in lines:
        for m in MARK.finditer(line.text):
            out[m.group(1)] = "service" if re.match(r"(?:partenaire|associ|contribut)", key_of(m.group(2))) else "pilot"
    return out


def abbreviations(lines: list[Line]) -> dict[str, str]:
    """The names a legend gives the abbreviations of a matrix's columns, set in columns of their own
    and wrapped within them ("DSDEN : Direction des services départementaux" / "de l'Éducation
    nationale …" under it)."""
    start = next((i for i, l in enumerate(lines) if re.match(r"^(?:abreviations?|sigles?)\b", l.key)),
                 next((i for i, l in enumerate(lines) if re.match(r"^legende\b", l.key)), None))
    if start is None:
        return {}
    out: dict[str, str] = {}
    anchors: list[int] = []     # where the legend's columns start
    last: dict[int, str] = {}   # the abbreviation last opened in each of them
    for line in lines[start + 1:start + 40]:
        text = line.text.rstrip()
        found = [m.start() for m in ABBREVIATION.finditer(text) if not MARK.match(text, m.start())]
        if not text.strip() or not (found or anchors):
            if anchors:
                break   # the end of the legend
            continue
        anchors = sorted(set(anchors) | {a for a in found if not any(abs(a - b) <= 4 for b in anchors)})
        bounds = [0] + anchors[1:] + [len(text)]
        for k in range(len(anchors)):
            piece = text[bounds[k]:bounds[k + 1]].strip()
            m = ABBREVIATION.match(piece)
            if m:
                last[k] = m.group(1)
                out[m.group(1)] = piece[m.end():].strip()
            elif piece and k in last:   # the name wrapped onto the next line, in its column
                out[last[k]] = join_cut_words(out[last[k]], piece)
    return out


class Annexes(ReaderBase):
    """Reading the annexes by orientation (a part of `Reader`)."""

    def funding_by_orientation(self, fiches: list[dict], heads: list[int], tables: list[int]) -> None:
        """A funding table set out by orientation (an annex "Maquette financière": "Orientation |
        Financeur | Nature | Dispositif | Montant", a row's first cell "1.1" or empty under the row
        before): each row becomes a funding line of the orientation it names, read as the rows of
        a fiche's funding table (kinds from the Nature cell, else non-precise under the annex's
        title)."""
        number_of = {}
        for i in heads:   # "1.1" as the fiche heading wrote it -> the orientation's number
            written = self.heading_of(self.lines[i])[0]
            number_of[written] = self.fiche_number(self.lines[i])
        by_number = {f["number"]: f for f in fiches}
        for t in tables:
            header = self.lines[t]
            title = self.table_title(t)
            first_cell, blank = cells_apart(header.text)
            # "Orientation | Droit commun | Crédits spécifiques", each cell "Funder : sum" by funder
            kinds = kind_headers(table_cells(header.text) or []) if "|" in header.text else {}
            groups: dict[int, list[Line]] = {}
            current = None
            for line in self.lines[t + 1:]:
                if not line.text.strip():
                    continue
                if orientation_table_header(line.text):   # the headings repeated after a page break
                    continue
                cell = first_cell(line.text)
                if cell:
                    m = ORIENTATION_CELL.match(key_of(cell))
                    if not m:
                        break      # "Pilier 2 – …", a note below the table: its end
                    current = number_of.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None)
                if current in by_number:
                    groups.setdefault(current, [Line(header.n, blank(header.text))]).append(Line(line.n, blank(line.text)))
            for n, lines in groups.items():
                got = self.funding(lines, "non-precise", title, n) if not kinds else \
                    [f for kind in sorted(set(kinds.values())) for f in self.funding(self.listed(lines[1:], kinds, kind), kind, title, n)]
                if got:
                    self.add_items(by_number[n], "funding", got)

    def table_title(self, t: int) -> Line:
        """The title above the table whose header is line `t` ("ANNEXE 2 – MAQUETTE FINANCIÈRE"),
        else its header."""
        return next((l for l in reversed(self.lines[max(0, t - 12):t])
                     if re.match(r"^(?:annexe|maquette|tableau|plan de financement|recapitulatif)", l.key)), self.lines[t])

    def funding_by_group_rows(self, fiches: list[dict], tables: list[int]) -> None:
        """A funding table whose rows come under a row naming their orientation ("Orientation n°1 –
        Réussite éducative" / "État    BOP 147    CS    92 000"): each row a funding line of that
        orientation, read as a fiche's table (kinds from the Nature cell, else non-précisé under the
        annex's title). Sub-totals are no lines; the table ends at a line of prose."""
        by_number = {f["number"]: f for f in fiches}
        for t in tables:
            header = self.lines[t]
            title = self.table_title(t)
            indent = min((m.start() for m in RUN.finditer(header.text)), default=0)
            groups: dict[int, list[Line]] = {}
            current, under_header = None, True
            for line in self.lines[t + 1:]:
                text = line.text.strip()
                lead = len(line.text) - len(line.text.lstrip())
                if funding_table_header(line.text):   # (repeated after a page break)
                    under_header = True
                    continue
                if not text or re.match(r"^(?:sous-?\s?)?total", key_of(text)) or under_header and lead > indent + 20:
                    continue   # (a sub-total; a header's cell wrapped: "(prév.)")
                under_header = False
                n = group_row(line.text)
                if n is not None:
                    current = n
                    continue
                if table_cells(line.text) is None and lead <= indent + 2:
                    break   # a note below the table
                if current in by_number:
                    groups.setdefault(current, [header]).append(line)
            for n, lines in groups.items():
                got = self.funding(lines, "non-precise", title, n)
                if got:
                    self.add_items(by_number[n], "funding", got)

    def grouped_table(self, i: int) -> bool:
        """Whether line `i` is the header of a funding table whose first row names an orientation."""
        if not funding_table_header(self.lines[i].text):
            return False
        for line in self.lines[i + 1:i + 4]:
            lead = len(line.text) - len(line.text.lstrip())
            if line.text.strip() and lead <= 20:
                return group_row(line.text) is not None
        return False

    def roles_by_matrix(self, fiches: list[dict]) -> None:
        """A matrix of responsibilities: a row per orientation ("1    Réussite éducative"), a column
        per partner ("État    EPCI    CAF"), a mark in a cell for the partner's role ("P", "A"),
        the marks and the columns' abbreviations explained by a legend. Each mark is a pilot or an
        associated service of its row's orientation, by the name the legend gives its column."""
        roles = mark_roles(self.lines)
        if not roles:
            return
        names = abbreviations(self.lines)
        by_number = {f["number"]: f for f in fiches}
        got: dict[tuple[int, str], list[Line]] = {}
        for i, line in enumerate(self.lines):
            runs = list(RUN.finditer(line.text.rstrip()))
            if len(runs) < 4 or not re.match(r"^(?:n\s*°|no\b|orientations?|axes?|objectifs?)", key_of(runs[0].group(0))):
                continue
            columns = [m for m in runs[1:] if len(m.group(0)) <= 14 and not re.search(r"\d", m.group(0))
                       and not re.match(r"^(?:orientation|axe|objectif|intitule|libelle)", key_of(m.group(0)))]
            if len(columns) < 3:
                continue
            current = None
            for row in self.lines[i + 1:]:
                if not row.text.strip():
                    continue
                cells = list(RUN.finditer(row.text.rstrip()))
                marks = [m for m in cells if m.group(0) in roles]
                number = re.match(r"^\s*(\d{1,2})\b", row.text)
                if number:
                    current = int(number.group(1))
                elif marks or not row.text[:1].isspace():
                    break   # (a row's title wrapped: no mark on its line)
                for m in marks:
                    centre = (m.start() + m.end()) / 2
                    column = min(columns, key=lambda c: abs((c.start() + c.end()) / 2 - centre))
                    name = names.get(column.group(0), column.group(0))
                    got.setdefault((current, roles[m.group(0)]), []).extend([Line(row.n, name), Line(row.n, BREAK)])
        for (n, role), lines in got.items():
            fiche = by_number.get(n)
            if fiche is None:
                continue
            self.add_items(fiche, role + "s", self.participants(lines, n, role))

    def funding_by_kind_matrix(self, fiches: list[dict]) -> None:
        """A matrix of funders by orientation ("Financeur    O1    O2    O3", a row per funder, "DC",
        "CS", "DC+CS" or "(DC)" in its cells, an empty cell no funding): each code is a funding line
        of its column's orientation, of the kind the code says ("(DC)", to be confirmed, flagged by
        its parentheses as written). A funder's name cut over two lines is joined."""
        by_number = {f["number"]: f for f in fiches}
        got: dict[int, list[Line]] = {}
        i = 0
        while i < len(self.lines):
            runs = list(RUN.finditer(self.lines[i].text.rstrip()))
            numbers = [re.fullmatch(r"(?:o|os|axe\s*|orientation\s*)?(\d{1,2})", key_of(m.group(0))) for m in runs[1:]]
            if len(runs) < 4 or not all(numbers) or not re.match(r"^(?:financeurs?|partenaires?(?: financeurs?)?|organismes?)$", key_of(runs[0].group(0))):
                i += 1
                continue
            columns = [((m.start() + m.end()) / 2, int(n.group(1))) for m, n in zip(runs[1:], numbers)]
            rows: list[tuple[int, str, list[tuple[int, str]]]] = []   # (line, funder, [(orientation, code)])
            for line in self.lines[i + 1:]:
                i += 1
                cells = list(RUN.finditer(line.text.rstrip()))
                codes = [c for c in cells[1:] if _KIND_CODE.fullmatch(c.group(0).strip())]
                if not line.text.strip() or not cells or cells[0].start() > 2 and not codes:
                    break
                if not codes and rows and len(cells) == 1 and len(cells[0].group(0).split()) <= 5:
                    rows[-1] = (rows[-1][0], join_cut_words(rows[-1][1], cells[0].group(0)), rows[-1][2])   # "Communauté d'agglomération" / "de Vesoul"
                    continue
                if not codes or len(codes) != len(cells) - 1:
                    break
                at = [(min(columns, key=lambda c: abs(c[0] - (m.start() + m.end()) / 2))[1], m.group(0).strip()) for m in codes]
                rows.append((line.n, cells[0].group(0), at))
            for n, name, at in rows:
                for number, code in at:
                    for kind in re.split(r"\s*[+/]\s*", code.strip("()")):
                        heading = "Droit commun :" if kind.upper() == "DC" else "Crédits spécifiques :"
                        got.setdefault(number, []).extend([Line(n, heading), Line(n, f"• {name}" + (" (à confirmer)" if code.startswith("(") else ""))])
        for number, lines in got.items():
            if number in by_number:
                found = [f for k in ("Droit commun :", "Crédits spécifiques :")
                         for f in self.funding([lines[j + 1] for j in range(0, len(lines), 2) if lines[j].text == k],
                                               "droit-commun" if k.startswith("Droit") else "specifique", Line(lines[0].n, k), number)]
                if found:
                    self.add_items(by_number[number], "funding", found)

    @staticmethod
    def listed(rows: list[Line], kinds: dict[int, str], kind: str) -> list[Line]:
        """The funders a table by orientation lists in its cells of one kind ("CAF de Loir-et-Cher :
        38 000, Ville de Blois : 120 000"), a bulleted line each; no line for "non chiffré"."""
        out = []
        for row in rows:
            cells = [c.strip() for c in row.text.strip().strip("|").split("|")]
            for j, cell in enumerate(cells, 1):   # (the orientation's cell is blanked away)
                if kinds.get(j) == kind:
                    # (a table of sums: "Agglopolys : 15 000" is 15 000 euros)
                    out += [Line(row.n, "• " + re.sub(r":\s*(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{3,})$", r": \1 €", p))
                            for p in split_list(cell, ",;") if re.match(r"^[A-ZÀ-Ý]", p)]
        return out

    def indicators(self, numbers: set[int]) -> list[dict]:
        start = next((i for i, l in enumerate(self.lines) if ANNEX.match(l.key)), None)
        if start is None:
            return []
        out, group, pending = [], None, []

        def flush():
            for n, t in items(pending):
                if group:
                    out.append({"line": n, "label": t, "orientations": [x for x in group if x in numbers] or group})
            pending.clear()

        for line in self.lines[start + 1:]:
            m = INDICATOR_GROUP.match(line.key)
            if m:
                flush()
                a, b = int(m.group(1)), int(m.group(2))
                group = list(range(min(a, b), max(a, b) + 1))
            elif group is not None:
                pending.append(line)
        flush()
        self.found.counts["indicators"] += len(out)
        return out
