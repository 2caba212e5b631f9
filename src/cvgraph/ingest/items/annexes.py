"""What a contract's annexes hold by orientation: a funding table set out by orientation (the
"maquette financière"), and indicators grouped by orientations."""

from __future__ import annotations

import re

from ..reading import Line, items, key_of
from ..naming import split_list
from ..sections import ANNEX, INDICATOR_GROUP, ORIENTATION_CELL, RUN, kind_headers, orientation_table_header, table_cells
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
    return (lambda text: text[:width].strip()), (lambda text: " " * min(width, len(text)) + text[width:])


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
            title = next((l for l in reversed(self.lines[max(0, t - 12):t])
                          if re.match(r"^(?:annexe|maquette|tableau|plan de financement|recapitulatif)", l.key)), header)
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
                    by_number[n].setdefault("funding", []).extend(got)
                    self.found.counts["funding lines"] += sum(max(1, len(f.get("instruments", []))) for f in got)

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
