"""Signatories: the section that names them, numbered lists, 'Pour …' blocks in one or two columns,
each with its commitments."""

from __future__ import annotations

import re

from ..contributions import opens_list
from ..naming import PROPOSED
from ..reading import Line, items, key_of, line_at
from ..sections import ANNEX, CONNECTOR, PART, SENTENCE, SIGNATORIES, SIGNATORY, SIGNER, axis_heading
from .base import Found, ReaderBase


# who signs, by office: "Le Préfet du Var,", "La Présidente du Conseil départemental de l'Isère,",
# "Le Maire de Toulon,", "Le Directeur territorial de France Travail,"
OFFICE = re.compile(r"^(?:pour\s+)?(?:le|la|l['’])\s*(?P<title>(?:sous-)?pr[ée]f[eè]te?|maire|pr[ée]sidente?|directeur|directrice|procureure?|inspect(?:eur|rice)"
                    r"|d[ée]l[ée]gu[ée]e?)\b(?P<rest>.*?)\s*(?:et par d[ée]l[ée]gation)?\s*,$", re.I)
_QUALIFIER = re.compile(r"^\s*(?:(?i:g[ée]n[ée]rale?|territoriale?|d[ée]partementale?|r[ée]gionale?|adjointe?|acad[ée]mique|par int[ée]rim)\b\s*)*"
                        r"(?:de la |du |de l['’]|des |de |d['’])?")   # "de La Seyne-sur-Mer": "La" is the name's


# who signs: "le Directeur territorial", "La Présidente", "le Préfet de la Haute-Vienne"
TITLE = re.compile(r"^(?:le|la|l')\s*(?:sous-|vice-)?(?:pr[ée]f|maire|pr[ée]sident|directeur|directrice|d[ée]l[ée]gu|inspect"
                   r"|recteur|rectrice|procureur|secr[ée]taire|adjoint|conseill|chef|g[ée]rant|administrat)")


def office_body(text: str) -> str | None:
    """The body an office signs for: the State for a préfet, the commune for its maire, else the
    body the office is of ("Le Président de la Métropole X," -> "Métropole X"); None if no office."""
    m = OFFICE.match(text.strip())
    if not m:
        return None
    title = m.group("title").lower()
    rest = _QUALIFIER.sub("", m.group("rest"), 1).strip(" ,")
    # "Le Directeur régional Normandie de la Banque des Territoires": the region is the office's
    rest = re.sub(r"^[A-ZÀ-Ý][\w-]+\s+(?:de la|du|de l['’]|des|d['’])\s*(?=[A-ZÀ-Ý])", "", rest) \
        if re.search(r"r[ée]gionale?\s+[A-ZÀ-Ý]", m.group("rest")) else rest
    rest = re.sub(r"\s+dans (?:le|la|l['’]|les)\s.*$", "", rest)   # "France Travail dans le Var"
    # "l'Inspecteur d'académie, directeur académique des services de l'Éducation nationale de X": the DSDEN
    if title.startswith("inspect"):
        rest = re.sub(r"^(?:d['’]\s*)?acad[ée]mie\s*(?:,\s*(?:directeur|directrice)\s+acad[ée]mique\s+)?", "", rest, flags=re.I) or "DSDEN"
    # "le Directeur académique des services de l'éducation nationale du Var": the DSDEN du Var
    rest = re.sub(r"^(?:des )?services (?:d[ée]partementaux )?de l['’][ée]ducation nationale\b", "DSDEN", rest, flags=re.I)
    # "la délégation départementale du Var de l'Agence régionale de santé X": the agency signs
    rest = re.sub(r"^d[ée]l[ée]gation\s+(?:d[ée]partementale|territoriale)\s+.*?\s+(?:de\s+l['’]\s*|de\s+la\s+)(?=(?:Agence\s+r[ée]gionale|ARS)\b)", "", rest, flags=re.I)
    if "pr" in title[:3] and "f" in title:   # préfet, préfète, sous-préfet
        return "État"
    if title.startswith("procureur"):   # "Le Procureur de la République près le tribunal judiciaire de X":
        # the office signs, as written (no body of the reference stands for a parquet)
        office = re.sub(r"^(?:pour\s+)?(?:le|la|l['’])\s*", "", text.strip().rstrip(","), flags=re.I)
        return office if re.search(r"\bprès\b|\bde\s+[A-ZÀ-Ý]", office) else None
    if not rest:
        return None
    if title == "maire":   # "Le Maire du Havre": the Ville du Havre
        of = re.match(r"^\s*(du|des|d['’]|de la|de l['’]|de)\s*", m.group("rest"))
        joined = (of.group(1) + ("" if of.group(1).endswith(("'", "’")) else " ")) if of else "de "
        return rest if re.match(r"^(?:ville|commune)\b", rest, re.I) else f"Ville {joined.lower()}{rest}"
    return rest


class Signatories(ReaderBase):
    """Reading signatories (a part of `Reader`)."""

    def signatories(self) -> list[dict]:
        """The signatories, from the section that names the most of them: the headed section
        ("Les engagements des signataires", "Les signataires", not its line in a table of contents),
        or the signature block ("Fait à …, le …" then "Pour …" lines, in one or two columns)."""
        starts = [i for i, l in enumerate(self.lines) if (SIGNATORIES.match(l.key) and not self.listed_part(i)
                                                          and not opens_list(self.lines, i))   # (a fiche's "Engagements des partenaires")
                  or re.match(r"^fait a(?:ux?)?\b", l.key)]
        best: list[dict] = []
        for start in starts:
            found, keep = Found(), self.found
            self.found = found
            try:
                got = self.signatories_from(start)
            finally:
                self.found = keep
            if len(got) > len(best):
                best, best_found = got, found
        rows = self.signatories_by_rows()   # ("Organisme;Représentant;Qualité", a pasted spreadsheet)
        if len(rows) <= len(best):   # the parties of the opening, "représenté par …" (the closing block giving offices only)
            rows = self.signatories_in_prose()
        if len(rows) > len(best):
            rows = self.once(rows)
            self.found.counts["signatories"] += len(rows)
            return rows
        if best:
            self.found.counts.update(best_found.counts)
            for u in best_found.unresolved:
                if u not in self.found.unresolved:
                    self.found.unresolved.append(u)
            once = self.once(best)
            self.found.counts["signatories"] -= len(best) - len(once)
            best = once
        return best

    @staticmethod
    def once(found: list[dict]) -> list[dict]:
        """Each body once, at its first line: two people who sign for one body ("Pour l'État : A" /
        "Pour l'État : B") make one signatory of the sheet."""
        seen, out = set(), []
        for entry in found:
            key = entry.get("org") or str(entry.get("orgs"))
            if key not in seen:
                seen.add(key)
                out.append(entry)
        return out

    def listed_part(self, i: int) -> bool:
        """"5. Signatures" as the last item of a table of contents with no page numbers ("4.
        Gouvernance" on the line above): no section of signatures."""
        m = re.match(r"^(\d{1,2})[.)]\s", self.lines[i].key)
        before = next((l for l in reversed(self.lines[:i]) if l.text.strip()), None)
        b = re.match(r"^(\d{1,2})[.)]\s", before.key) if before else None
        return bool(m and b and int(b.group(1)) == int(m.group(1)) - 1)

    def signatories_from(self, start: int) -> list[dict]:
        first_fiche = next((i for i, l in enumerate(self.lines) if i > start and
                            (self.is_head(l) or ANNEX.match(l.key) or PART.match(l.key) and i > start + 1 or axis_heading(l.key)
                             and i + 3 < len(self.lines) and any(self.is_head(x) for x in self.lines[i:i + 3]))),
                           len(self.lines))
        out, current, body = [], None, []

        def close():
            if current is not None:
                current["commitments"] = [{"line": n, "text": t} for n, t in items(body)]
                self.found.counts["commitments"] += len(current["commitments"])

        section = []
        after_pour = False
        cut: dict[int, int] = {}   # the "Pour …" cells whose name goes on below (by column): their items
        columns: list[int] = []    # where the "Pour …" cells of the line start
        for line in self.split_numbered(self.table_rows(self.sentence_list(self.offices_joined(self.lines[start + 1:first_fiche])))):   # two columns: one cell each
            if SIGNATORIES.match(line.key):   # "5. SIGNATAIRES" after "4. ENGAGEMENTS DES SIGNATAIRES": a heading
                continue
            # cells: three spaces or more apart, or a second "Pour …" on the line, however close
            cells = [c for c in re.split(r"\s{3,}|\s{2,}(?=[Pp]our\s)|(?<=,)\s+(?=[Pp]our\s)", line.text.strip()) if c]
            if re.match(r"^pour\b", line.key):
                section += [Line(line.n, c) for c in cells] if len(cells) > 1 else [line]
                after_pour = True
                runs = list(re.finditer(r"\S(?:.*?\S)?(?=\s{3,}|\s{2,}(?=[Pp]our\s)|$)", line.text))
                columns = [r.start() for r in runs]
                cut = {j: len(section) - len(cells) + j for j, r in enumerate(runs)
                       if len(runs) == len(cells) and not r.group().endswith(",")}
                continue
            runs = list(re.finditer(r"\S(?:.*?\S)?(?=\s{3,}|$)", line.text)) if cut else []
            going: dict[int, int] = {}   # a name cut over three lines or more: still going on
            for k, r in enumerate(runs):
                # "Pour la Caisse primaire d'assurance maladie" / "du Morbihan, le Directeur,", "Pour
                # l'Agence régionale de santé" / "Nouvelle-Aquitaine,": the name ends at the comma;
                # with no comma, a cell in lower case ("tribunal judiciaire de X") or a territory's
                # name ("Bourgogne-Franche-Comté"), never who signs ("Le Directeur")
                m = re.match(r"^([^,]{1,60}),", r.group())
                rest = m.group(1) if m else r.group() if re.match(r"^[a-zà-ÿ]", r.group()) or (
                    self.resolver and self.resolver.is_territory_name(r.group())) else None
                # the cell's column: the same rank when the line has as many cells (a table read as
                # cells, whose columns do not line up), else the "Pour …" cell it stands under
                col = k if len(runs) == len(columns) else next(
                    (j for j, a in enumerate(columns) if abs(a - r.start()) <= 3), None)
                if rest and col in cut and not TITLE.match(key_of(rest)) and len(rest) <= 60:
                    j = cut.pop(col)
                    section[j] = Line(section[j].n, f"{section[j].text} {rest}" + ("," if m else ""))
                    if not m:   # "Pour la Direction des services" / "départementaux de l'Éducation" / "nationale du Tarn,"
                        going[col] = j
            cut = going
            if going:
                continue
            if after_pour and line.text.strip() and (len(cells) > 1 or SIGNER.match(line.key)):
                continue   # under "Pour la CAF,": who signs ("le Président"), not a commitment
            after_pour = after_pour and not line.text.strip() or False
            offices = [office_body(c) for c in cells if c.rstrip().endswith(",")]
            if offices and all(offices) and len(offices) == len(cells):
                # "Le Préfet du Var,    Le Maire de Toulon,": who signs, for the body each office is
                section += [Line(line.n, "• " + body) for body in offices]
                continue
            section.append(line)
        numbered = any((m := SIGNATORY.match(l.text.strip())) and m.group(1) and self.orgs.exact(m.group(2))
                       for l in section)
        for line in section:
            m = SIGNATORY.match(line.text.strip())
            if m and numbered and not m.group(1):
                m = None   # a bullet inside a signatory's commitments
            name = m.group(2).strip(" ,;.") if m else ""
            name = office_body(name + ",") or name   # "Pour le Maire de X et par délégation,"
            bare = re.sub(r"^(?:l['’]\s*|la |le |les )", "", name, flags=re.I)   # "la Mission locale …"
            ident = (self.orgs.exact(name) or self.named_body(bare)) if m else None
            if m and not ident and self.generic_with_complement(name):   # "la Mission locale Nord Vienne"
                ident = PROPOSED
            elif m and not ident:
                inside = self.orgs.inside(name)
                ident = inside[0][1] if inside and inside[0][0] == 0 else None
            if ident == PROPOSED:
                close()
                current, body = {"org": bare, "line": line.n,
                                 "section": line.text.strip(), "proposed": True}, []
                self.unresolved("signatory", name, line.n)
                out.append(current)
                self.found.counts["signatories"] += 1
                continue
            if ident:
                close()
                current, body = {"org": self.as_written(bare, ident), "line": line.n,
                                 "section": line.text.strip()}, []
                if self.is_local(ident):
                    current.update(org=name, proposed=True)
                out.append(current)
                self.found.counts["signatories"] += 1
            elif m and len(m.group(2)) < 120 and (current is not None or not numbered):   # (long names: "Direction des services départementaux de l’Éducation nationale de …")
                self.unresolved("signatory", name, line.n)
                close()
                current = None
                if name and re.search(r"[A-ZÀ-Ý]", name) and not SENTENCE.search(name):   # kept as written, proposed
                    current, body = {"org": bare, "line": line.n, "section": line.text.strip(), "proposed": True}, []
                    out.append(current)
            elif current is not None:
                body.append(line)
        close()
        return out

    @staticmethod
    def offices_joined(lines: list[Line]) -> list[Line]:
        """Offices set in columns and cut over lines ("Le Directeur général de l'Agence régionale    La
        Directrice de la Caisse d'allocations" / "de santé Normandie,    familiales de la Seine-Maritime,"):
        each column's office on one line ("…Normandie,     La Directrice … Seine-Maritime,"), at the
        line it starts on; other lines as they are."""
        def runs(text: str) -> list[re.Match]:
            return list(re.finditer(r"\S(?:.*?\S)?(?=\s{3,}|$)", text))
        out: list[Line] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            cells = runs(line.text)
            open_ = [c for c in cells if OFFICE.match(c.group().rstrip(",") + ",") and not c.group().endswith(",")]
            # one column: the office goes on below, up to its comma ("La Directrice de la délégation
            # départementale du Var de l'Agence régionale de santé" / "Provence-Alpes-Côte d'Azur,")
            lone = len(cells) == 1 and open_ and i + 1 < len(lines) and lines[i + 1].text.strip().endswith(",") \
                and len(runs(lines[i + 1].text)) == 1 and not TITLE.match(key_of(lines[i + 1].text.strip())) \
                and not re.match(r"^(?:pour|le|la|les|l')\b", key_of(lines[i + 1].text.strip()))   # (the next block's "Pour X,")
            if not open_ or len(cells) < 2 and not lone:   # (two columns or more)
                out.append(line)
                i += 1
                continue
            texts = {c.start(): c.group() for c in cells}
            j = i + 1
            while j < len(lines) and lines[j].text.strip() and any(not t.endswith(",") for t in texts.values()):
                below = runs(lines[j].text)
                at = {b.start(): next((a for a in texts if abs(a - b.start()) <= 3 and not texts[a].endswith(",")), None) for b in below}
                if not below or any(a is None for a in at.values()):
                    break
                for b in below:
                    texts[at[b.start()]] += " " + b.group()
                j += 1
            if all(t.endswith(",") for t in texts.values()):
                out.append(Line(line.n, "     ".join(texts[a] for a in sorted(texts))))
                i = j
            else:
                out.append(line)
                i += 1
        return out

    @staticmethod
    def table_rows(lines: list[Line]) -> list[Line]:
        """A table of signatories ("Signataire      Représenté par", a row per body, the body's name
        cut in its cell over two lines): each body as an item of a list ("• La CAF de la Drôme"); who
        represents it is not a signatory."""
        header = next((i for i, l in enumerate(lines) if re.match(r"^(?:les )?signataires?\s{3,}", l.text.strip().lower())
                       or re.match(r"^(?:les )?signataires?\b.*\brepresente", l.key) and re.search(r"\S\s{3,}\S", l.text)), None)
        if header is None:
            return lines
        out = lines[:header]
        for line in lines[header + 1:]:
            if not line.text.strip() or line.text[:1].isspace():
                continue   # a blank line, or the cell of who represents the body, wrapped
            cells = re.split(r"\s{3,}", line.text.strip())
            name = cells[0]
            # "La CAF de la" / "Drôme"; "Agence régionale de santé    Mme X, directrice" /
            # "Bourgogne-Franche-Comté    départementale": both cells go on (who represents, in lower case)
            if len(out) > header and (CONNECTOR.search(out[-1].text) or len(cells) > 1 and re.match(r"^[a-zà-ÿ]", cells[1]) and len(name.split()) <= 3):
                out[-1] = Line(out[-1].n, f"{out[-1].text} {name}")
            else:
                out.append(Line(line.n, "• " + name))
        return out

    @staticmethod
    def sentence_list(lines: list[Line]) -> list[Line]:
        """"Le présent contrat est signé par : l'État, représenté par … ; la Communauté …,
        représentée par … ; A et B, représentés par …": each body as an item of a list ("• État"),
        on the line its clause starts; who represents it is not a signatory."""
        from ..prose import paragraphs, paragraphs_replaced
        from ..prose_names import names_of
        found = []
        for para, text, starts in paragraphs(lines):
            m = re.search(r"\b(?:sign[ée]e?s?\s+par|signataires\s+(?:sont|en sont)(?:\s+les\s+suivants)?)\s*:\s*(.+)$", text, re.I)
            if not m:
                continue
            made = []
            for c in re.finditer(r"[^;]+", m.group(1)):
                name = re.split(r",?\s+représenté(?:e|s|es)?\s+par\b", c.group(), maxsplit=1)[0].strip(" .")
                made += [Line(line_at(starts, m.start(1) + c.start()), "• " + n) for n in names_of(name)]
            if len(made) >= 2:
                found.append((para, made))
        return paragraphs_replaced(lines, found)

    @staticmethod
    def split_numbered(lines: list[Line]) -> list[Line]:
        """A numbered list set in two columns and read across ("1. L'État, représenté par … 7. Le
        Département"): each numbered item on its own line, when the numbers run as a list does."""
        numbers = [int(m.group(1)) for l in lines for m in re.finditer(r"(?:^|\s)(\d{1,2})[.)]\s+[A-ZÀ-Ý]", l.text)]
        if len(numbers) < 4 or sorted(numbers) != list(range(1, len(numbers) + 1)):
            return lines
        out = []
        for l in lines:
            cuts = [m.start(1) for m in re.finditer(r"\s(\d{1,2})[.)]\s+[A-ZÀ-Ý]", l.text)]
            pieces = [l.text[a:b] for a, b in zip([0] + cuts, cuts + [len(l.text)])]
            out += [Line(l.n, p.strip()) for p in pieces if p.strip()]
        return out
