"""A spreadsheet pasted as text, its cells ";" apart (a CSV export): "N° orientation;Orientation;
Action;Pilote;Partenaires associés;Financeurs droit commun;Financeurs politique de la ville;…",
then a row per action, a cell in quotes when it holds ";" or goes on over lines, the orientation's
number left empty under its first row. Each row gives its orientation the pilots, partners and
funding lines of the columns whose header names them (the kind from the header's words)."""

from __future__ import annotations

import csv
import re

from ...names import strip_accents
from ..naming import split_list
from ..prose_names import Masked
from ..reading import Line
from .base import ReaderBase

# the column that gives the row's orientation: "N° orientation", "Orientation n°", "Axe"
_ORIENTATION = re.compile(r"^(?:n\s*°|no\.?|num(?:ero)?)?\s*(?:d['’]\s*)?(?:orientation|axe|objectif)s?(?:\s*(?:n\s*°|no))?$")
_PILOTS = re.compile(r"^(?:pilotes?|porteurs?|chefs? de file|maitres? d'ouvrage|responsables?)(?:\s*\(s\))?\b")
_SERVICES = re.compile(r"^(?:partenaires?|acteurs?|structures?)(?:\s*\(s\))?(?:\s+(?:associes?|mobilises?|operationnels?|impliques?))?$")
_SIGNERS = re.compile(r"^(?:organismes?|signataires?|structures?|institutions?|partenaires?(?: signataires?)?|parties?)$")
_FUNDING = re.compile(r"^(?:(?:co)?financeurs?|(?:co)?financements?|autres? (?:co)?financ\w*|credits?|moyens?)\b")


def _key(cell: str) -> str:
    return re.sub(r"\s+", " ", strip_accents(cell).lower().replace("’", "'")).strip(" :")


def records(lines: list[Line], start: int) -> list[tuple[int, list[str]]]:
    """The rows of a ";" table from line `start` (its header) on: (the line a row starts on, its
    cells), a quoted cell going on over lines; up to a line with no ";" outside quotes."""
    out, buf, first, quoted = [], [], None, False
    for line in lines[start:]:
        if not quoted and ";" not in line.text and line.text.count('"') % 2 == 0:   # (not a quoted cell's first line)
            if line.text.strip() or buf:
                break
            continue
        buf.append(line.text)
        first = line.n if first is None else first
        quoted ^= line.text.count('"') % 2 == 1
        if not quoted:
            out.append((first, next(csv.reader(["\n".join(buf)], delimiter=";", quotechar='"'), [])))
            buf, first = [], None
    return out


class Spreadsheet(ReaderBase):
    """Roles and funding from a pasted spreadsheet (a part of `Reader`, under `Fiches`)."""

    def roles_by_rows(self, fiches: list[dict]) -> None:
        by_number = {f["number"]: f for f in fiches}
        for i, line in enumerate(self.lines):
            if line.text.count(";") < 3 or '"' in line.text:
                continue
            header = [_key(c) for c in line.text.split(";")]
            at = next((j for j, c in enumerate(header) if _ORIENTATION.match(c)), None)
            roles = {j: self._column(c) for j, c in enumerate(header)}
            if at is None or not any(r for j, r in roles.items() if j != at):
                continue
            n = None
            for first, cells in records(self.lines, i)[1:]:
                number = re.match(r"^\s*(?:o\s*)?(\d{1,2})\b", cells[at].lower()) if at < len(cells) else None
                n = int(number.group(1)) if number else n
                if n not in by_number or not any(c.strip() for c in cells):
                    continue
                for j, role in roles.items():
                    if not role or j == at or j >= len(cells) or not cells[j].strip():
                        continue
                    key, kind = role
                    pieces = self._pieces(cells[j])
                    if key == "funding":
                        heading = Line(line.n, line.text.split(";")[j].strip())
                        found = self.funding([Line(first, "• " + p) for p in pieces], kind, heading, n)
                    else:
                        found = self.participants([Line(first, " ; ".join(pieces))], n, key[:-1])
                    self.add_items(by_number[n], key, found)

    def signatories_by_rows(self) -> list[dict]:
        """Signatories set out as a table: a pasted spreadsheet ("Organisme;Représentant;Qualité") or
        a table of cells ("| Signataire | Représenté par | Fonction |", a box drawn round it): a
        signatory a row, its body in the first column."""
        for i, line in enumerate(self.lines):
            piped = " | " in line.text   # (a table read as cells: "Signataire | Représenté par | Fonction")
            header = [_key(c) for c in line.text.strip().strip("|").split("|")] if piped else \
                [_key(c) for c in line.text.split(";")] if 1 <= line.text.count(";") <= 6 else []
            if not header or not _SIGNERS.match(header[0]) or not any(re.search(r"represent|nom\b|qualite|fonction|signataire", c) for c in header[1:]):
                continue
            rows = records(self.lines, i)[1:] if not piped else [
                (l.n, [c.strip() for c in l.text.strip().strip("|").split("|")])
                for l in self.lines[i + 1:next((j for j in range(i + 1, len(self.lines)) if " | " not in self.lines[j].text), len(self.lines))]]
            out = []
            for n, cells in rows:
                name = re.sub(r"\s+", " ", cells[0]).strip() if cells else ""
                if not name:
                    continue
                bare = re.sub(r"^(?:l['’]\s*|la |le |les )", "", name, flags=re.I)
                ident = self.orgs.exact(name) or self.named_body(bare)
                if ident and not self.is_local(ident):
                    out.append({"org": self.as_written(bare, ident), "line": n, "section": ";".join(cells)})
                else:
                    self.unresolved("signatory", name, n)
                    out.append({"org": bare, "line": n, "section": ";".join(cells), "proposed": True})
            if out:
                return out
        return []

    @staticmethod
    def _column(key: str) -> tuple[str, str | None] | None:
        """What a column holds, by its header: ("pilots", None), ("services", None), ("funding", kind)."""
        if _PILOTS.match(key):
            return "pilots", None
        if _SERVICES.match(key):
            return "services", None
        if _FUNDING.match(key) and not re.search(r"\b(?:montants?|cout|budget|total)\b", key):
            kind = "droit-commun" if "droit commun" in key else "specifique" if re.search(
                r"politique de la ville|specifiques?|\bpv\b|\bcs\b", key) else "non-precise"
            return "funding", kind
        return None

    @staticmethod
    def _pieces(cell: str) -> list[str]:
        """A cell's names: apart by ",", ";", " / " or a line, never inside parentheses nor inside a
        name that has its own comma."""
        masked = Masked(cell.replace("\n", " ; ").replace(" / ", " ; "))
        out = []
        for piece in split_list(masked.text, ",;"):
            piece = masked.restore(piece).strip()
            if piece:
                out.append(piece)
        return out
