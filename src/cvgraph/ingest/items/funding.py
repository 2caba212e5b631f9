"""Funding lines: the funder, its instruments and purpose, the kind from the heading or the row,
the sum the text states; inline lists, bullets, tables."""

from __future__ import annotations

import re

from ..naming import PROPOSED, as_written, looks_like_instrument, looks_like_name, split_list
from ..prose import paragraphs, paragraphs_replaced
from ..prose_funding import funding_sentences
from ..reading import BULLET, Line, join_cut_words, key_of, line_at
from ..sections import (AMOUNT, CONNECTOR, KIND_CELL, SENTENCE, column_cells, header_columns, row_kind, section_of,
                        table_cells, table_row)
from .lines import FundingLines


# the kind a funding line states for itself, beside its funder or its instruments: "État (crédits
# politique de la ville) : BOP 147", "CAF (animation de la vie sociale, droit commun)", "Ville de X
# (droit commun) : …", "CAF (DC)", "État, au titre de la politique de la ville : …", "État (BOP
# 147) – crédits spécifiques", "Droit commun : Région (PRF)"
_KIND_WORDS = {"droit-commun": r"(?:(?:cr[ée]dits?|financements?|moyens?)\s+)?(?:de\s+|du\s+)?droit\s+commun|DC",
               "specifique": r"(?:(?:cr[ée]dits?|financements?|moyens?)\s+)?(?:sp[ée]cifiques?(?:\s+(?:de\s+la\s+)?politique\s+de\s+la\s+ville)?"
                             r"|(?:de\s+la\s+|au\s+titre\s+de\s+la\s+)?politique\s+de\s+la\s+ville|PV)|CS"}
LINE_KIND = [(kind, re.compile(r"\s*\(\s*(?i:" + words + r")\s*\)|\s*,\s*(?i:" + words + r")\s*(?=\))|\s*,\s*(?i:au\s+titre\s+(?:du\s+|de\s+la\s+|des\s+)?)(?i:"
                               + words + r")(?=\s*(?:[:;,]|$))|\s+[–—-]\s+(?i:" + words + r")(?=\s*(?:[:;,()]|$))"
                               r"|^(?i:" + words + r")\s*:\s*(?=\S)"))
             for kind, words in _KIND_WORDS.items()]
# "ARS Provence-Alpes-Côte d'Azur, droit commun : 130 000 € (…)", "État, crédits spécifiques BOP 147 : 55 000 €"
KIND_AFTER_COMMA = [(kind, re.compile(r"^(?P<who>[^,:()]{2,80}),\s*(?i:" + words + r")\s*(?P<more>[^:,()]*?)\s*:\s*(?P<rest>.*)$"))
                    for kind, words in _KIND_WORDS.items()]


# "CAF (droit commun – CLAS)", "ARS (droit commun : FIR)": the kind, then the scheme, in the same parentheses
KIND_THEN = [(kind, re.compile(r"\(\s*(?i:" + words + r")\s*[–—,:-]\s*(?P<keep>[^()]+)\)")) for kind, words in _KIND_WORDS.items()]


def stated_kind(text: str) -> tuple[str | None, str]:
    """The kind a funding line states for itself, and the line without it: ("specifique",
    "État : BOP 147") for "État (crédits politique de la ville) : BOP 147"; (None, text) if none."""
    for kind, rx in KIND_THEN:
        m = rx.search(text)
        if m:
            return kind, f"{text[:m.start()]}({m.group('keep').strip()}){text[m.end():]}"
    for kind, rx in KIND_AFTER_COMMA:
        m = rx.match(text)
        if m:
            return kind, f"{m.group('who')} : " + ", ".join(x for x in (m.group("more").strip(), m.group("rest").strip()) if x)
    for kind, rx in LINE_KIND:
        m = rx.search(text)
        if m and (m.start() > 1 or m.group().rstrip().endswith(":")):   # after the funder, or "Droit commun : …"
            rest = (text[:m.start()] + (" " if m.start() and not text[m.end():].startswith((":", " :", ")")) and text[m.end():].strip() else "")
                    + text[m.end():]).strip(" ,")
            return kind, re.sub(r"\s{2,}", " ", rest)
    return None, text


def expand_inline_funders(lines: list[Line], is_funder=lambda text: True) -> list[Line]:
    """"Financeurs : Etat (BOP 147, 12 000 €), Ville (droit commun), CAF (CLAS)": one funding line per
    funder ("• Etat : BOP 147"), amounts and "droit commun" set aside; such a list cut across lines
    is joined first. Other lines (a table's rows among them) are returned as they are."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text.strip()
        pieces = split_list(text, ",;")
        first = re.match(r"^(.+?)\s*\(", pieces[0]) if pieces else None
        shaped = sum(bool(re.match(r"^[A-ZÀ-Ý][^():;]{0,60}\([^()]*\)$", p)) for p in pieces)
        if len(pieces) < 2 or BULLET.match(text) or re.match(r"^.{1,60}?\s:\s", text) or not first or " | " in text \
                or re.search(r"\S\s{3,}\S", text) \
                or not (is_funder(first.group(1)) or shaped >= 2):
            # the list starts with a funder and its parentheses, or is a list of "Name (…)"
            out.append(line)
            i += 1
            continue
        while i + 1 < len(lines) and lines[i + 1].text.strip() and (
                text.count("(") > text.count(")") or re.search(r"(?:,|\s(?:de|du|des|de la|d['’]))\s*$", text)
                or lines[i + 1].text.strip().startswith("(")):
            i += 1
            text = join_cut_words(text, lines[i].text)
        for p in split_list(text, ",;"):
            m = re.match(r"^(.+?)\s*\((.*)\)\s*$", p)
            if not m:
                out.append(Line(line.n, "• " + p))
                continue
            inner = [x for x in split_list(m.group(2), ",;")
                     if key_of(x) not in ("droit commun", "credits specifiques")]
            said = [x for x in split_list(m.group(2), ",;") if x not in inner]   # "(droit commun)": the line's kind
            name = m.group(1) + (f" ({said[0]})" if said else "")
            out.append(Line(line.n, "• " + (f"{name} : {', '.join(inner)}" if inner else name)))
        i += 1
    return out


# "62 000 € – État (BOP 147)", "9 000 € Conseil départemental – droit commun", "15 000 €<TAB>État",
# "p.m. – France Travail (PEC)", "à définir<TAB>Région …": the sum first, then the funder
_SUM_FIRST = re.compile(r"^\s*(?P<sum>(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d{1,2})?\s*(?:k€|M€|€|euros?)|p\.\s?m\.?|pm"
                        r"|à\s+(?:définir|préciser|déterminer))(?:\s*[–—-]\s*|\t+\s*|\s+)(?P<rest>(?:[A-ZÀ-Ý]|[a-z]+\d*[A-Z]|autofinancement\b).*)$")
_TOTAL = re.compile(r"^\s*(?:sous-?\s?)?(?:total(?:e|es|s)?|totaux)\b.*\d")


def sums_first(lines: list[Line]) -> list[Line]:
    """A financing plan written sum first ("62 000 € – État (BOP 147, programme de réussite
    éducative)"): each line as a funder's ("• État (BOP 147, programme de réussite éducative) : 62
    000 €"), a line cut before its end joined first; its totals and subtotals ("Sous-total droit
    commun : 90 000 €") are no funders. Other lines as they are; unchanged if no line starts so."""
    if not any(_SUM_FIRST.match(l.text) for l in lines):
        return [l for l in lines if not _TOTAL.match(l.key)]
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _SUM_FIRST.match(line.text)
        if _TOTAL.match(line.key):
            i += 1
            continue
        if not m:
            out.append(line)
            i += 1
            continue
        rest = re.sub(r",?\s+(?:sous-?\s?)?total\b.*$", "", m.group("rest").strip(), flags=re.I)   # (a total line joined on)
        # "… (programme départemental" / "d'insertion)", "… de Lot-et-" / "Garonne (…)": cut at the line's end
        while i + 1 < len(lines) and lines[i + 1].text.strip() and not _SUM_FIRST.match(lines[i + 1].text) \
                and (rest.count("(") > rest.count(")") or rest.endswith("-") or re.search(r"\s(?:de|du|des|de la|d['’]|la|le|et|à)$", rest)
                     or re.match(r"^[a-zà-ÿ]", lines[i + 1].text.strip())):
            rest = join_cut_words(rest, lines[i + 1].text.strip())
            i += 1
        said = m.group("sum").strip()
        sum_ = said if re.match(r"\d", said) else ""
        out.append(Line(line.n, f"• {rest} : {sum_}" if sum_ else "• " + rest))
        i += 1
    return out


def semicolon_funders(lines: list[Line]) -> list[Line]:
    """"Région : PRF, FSE+ ; France Travail : Contrat" / "d'engagement jeune ; Département": funders
    in a row, ";" apart, the list wrapped onto lines of its own (a cell of a table read as cells):
    one bulleted line per funder, on the line it starts on. Other lines are returned as they are."""
    def goes_on(text: str, nxt: Line) -> bool:   # the list goes on on the next line
        return bool(nxt.text.strip()) and not BULLET.match(nxt.text) and bool(
            nxt.text[:1].isspace() or re.match(r"^[a-zà-ÿ\d]", nxt.text.strip()) or text.endswith((";", ","))
            or CONNECTOR.search(text))

    out: list[Line] = []
    i = 0
    while i < len(lines):
        text = lines[i].text.strip()
        starts, j = [(0, lines[i].n)], i
        while j + 1 < len(lines) and goes_on(text, lines[j + 1]):   # "…, 40 000 € ; CPAM – … ; CAF du" / "Tarn – …"
            j += 1
            starts.append((len(text) + 1, lines[j].n))
            text = join_cut_words(text, lines[j].text)
        pieces = split_list(text, ";")
        # "Funder : a, b", "Funder (a, b)" or "Funder – a" pieces, at least two
        shaped = sum(bool(re.match(r"^[^:()]{2,60}(?:\s*\([^()]*\))?(?:\s:(?:\s|$)|\s*\([^()]*\)$|\s[–—-]\s+\S|$)", p.strip()))
                     and bool(re.search(r"[:()–—]|\s-\s", p)) for p in pieces)
        if len(pieces) < 2 or shaped < 2 or BULLET.match(lines[i].text):
            out.append(lines[i])
            i += 1
            continue
        i = j
        at = 0
        for piece in split_list(text, ";"):
            n = line_at(starts, at + len(piece) - len(piece.lstrip()))
            if piece.strip(" ."):
                out.append(Line(n, "• " + piece.strip().rstrip(".")))
            at += len(piece) + 1
        i += 1
    return out


def kind_columns(lines: list[Line]) -> list[Line]:
    """A table whose columns are the kinds of funding ("Financeur    Droit commun    Crédits
    spécifiques"): a row per funder and filled kind, laid out as a table "Financeur | Dispositif |
    Nature" whose Nature cell states the kind; a cell wrapped onto the next line is joined, an
    empty cell ("–") gives no row (a row with every kind empty gives one, of no kind). Other lines
    are returned as they are."""
    out: list[Line] = []
    columns, kinds, rows = None, {}, []
    for line in lines + [Line(0, "")]:
        if columns is None:
            cols = header_columns(line.text)
            kinds = {j: kind for j, (_, h) in enumerate(cols) if j for kind, rx in KIND_CELL if rx.match(h)}
            if len(kinds) >= 2:
                columns, rows = cols, []
            elif line.n:
                out.append(line)
            continue
        cells = {j: c for j, c in column_cells(line.text, columns).items() if c.strip("–—- ")} if line.text.strip() else {}
        if cells.get(0):
            rows.append([line.n, cells[0], {j: cells[j] for j in kinds if cells.get(j)}])
            continue
        if cells and rows and all(j in kinds for j in cells):   # a cell wrapped onto the next line
            for j, c in cells.items():
                rows[-1][2][j] = join_cut_words(rows[-1][2].get(j, ""), c)
            continue
        width = max([len(r[1]) for r in rows] + [9]) + 4
        inner = max([len(c) for r in rows for c in r[2].values()] + [10]) + 4
        out.append(Line(rows[0][0] if rows else line.n, "Financeur".ljust(width) + "Dispositif".ljust(inner) + "Nature"))
        for n, funder, filled in rows:
            for j in sorted(filled) or [None]:
                label = {"droit-commun": "Droit commun", "specifique": "Crédits spécifiques"}.get(kinds.get(j), "")
                out.append(Line(n, (funder.ljust(width) + filled.get(j, "").ljust(inner) + label).rstrip()))
        columns = None
        if line.n:
            out.append(line)
    return out


# a row of the fiche's porteur funding itself: "Autofinancement", "Porteur (fonds propres)"
SELF_FUNDED = re.compile(r"^(?:autofinancement(?:\s+(?:du|de la)\s+(?:porteur|structure(?: porteuse)?))?|fonds propres(?: du porteur)?"
                         r"|(?:le\s+)?porteur|ma[iî]tre d['’]ouvrage|structure porteuse)"
                         r"(?:\s*\(([^()]*)\))?\s*(?::\s*(.*))?$", re.I)


class Funding(FundingLines):
    """Reading funding lines (a part of `Reader`)."""

    def funding(self, lines: list[Line], kind: str, heading: Line, orientation: int,
                pilots: list[dict] | None = None) -> list[dict]:
        """The funding lines of a section; `pilots`, the fiche's, say who "Autofinancement" is."""
        entries: list[dict] = []
        header = None          # "-État :" standing alone: the lines under it may name only instruments
        columns = None         # a funding table's columns, from its header row
        previous = ""
        lines = self.sentences_of_funding(sums_first(lines))
        expanded = expand_inline_funders(semicolon_funders(kind_columns(lines)), lambda name: bool(self.orgs.exact(name)))
        skip = set()
        bullets = any(BULLET.match(l.text) for l in expanded)
        sole = sum(bool(l.text.strip()) for l in expanded) == 1
        for i, line in enumerate(expanded):
            raw = line.text.strip()
            if not raw or i in skip:
                continue
            if entries and entries[-1].get("row") and re.match(r"^(?:et|de|du|des|d['’])\s*\S", raw) \
                    and not re.search(r"\S\s{3,}\S|\|", raw):
                # "Chambre de commerce    Prêt d'honneur    …" / "et d'industrie de Grenoble": the
                # first cell of a row, cut across lines, is the funder's whole name
                e = entries[-1]
                name = join_cut_words(e["written"], raw)
                ident = self.orgs.exact(name) or self.named_body(name) or PROPOSED + name
                e.update(funder=ident, written=name, raw=join_cut_words(e["raw"], raw), to=line.n)
                previous = raw
                continue
            wrapped, more = "", {}
            k = i + 1
            first = column_cells(line.text, columns).get(0, "") if columns else ""
            while columns and k < len(expanded) and first:   # cells cut onto the next lines
                whole = join_cut_words(first, wrapped) if wrapped else first
                after = column_cells(expanded[k].text, columns)
                if BULLET.match(expanded[k].text) or not after:
                    break
                if (whole.count("(") > whole.count(")") and list(after) == [0]) or (
                        after.get(0) and self.cut_name(whole, after[0])
                        and not any(AMOUNT.search(c) or row_kind(c) for j, c in after.items() if j)):
                    # "Caisse d'allocations" / "familiales du Cher", "Conseil" / "départemental des" /
                    # "Vosges", "État (crédits" / "politique de la" / "ville)", with other cells cut
                    # onto the same lines
                    wrapped = join_cut_words(wrapped, after[0]) if wrapped else after[0]
                elif not wrapped and list(after) == [0] and self.goes_on(first, after[0], line.text):
                    wrapped = after[0]
                elif 0 not in after and not re.search(r"\S\s{3,}\S", expanded[k].text.strip()):
                    pass   # another cell cut onto the next line ("FEDER, aide au commerce de" / "proximité")
                else:
                    break
                for j, c in after.items():
                    if j:
                        more[j] = join_cut_words(more[j], c) if more.get(j) else c
                skip.add(k)
                k += 1
            if not columns and i + 1 < len(expanded) and not BULLET.match(line.text):
                # a row of cells three spaces apart whose first cell goes on alone on the next line
                # ("Région Bourgogne-Franche-    250 000    …" / "Comté – Effilogis")
                cells, nxt = table_cells(line.text), expanded[i + 1].text.strip()
                if cells and len(cells) >= 3 and nxt and not re.search(r"\S\s{3,}\S", nxt) and not BULLET.match(nxt) \
                        and not section_of(key_of(nxt)) and not AMOUNT.search(nxt) and (self.cut_name(cells[0], nxt) or self.goes_on(cells[0], nxt, line.text)):
                    wrapped = nxt
                    skip.add(i + 1)
            row = table_row(line.text, columns, wrapped, more) if not BULLET.match(line.text) else None
            line_raw = line.text
            if row is not None:   # a funding table, flattened by a PDF tool or read as cells
                if not row:       # its header row ("Financeur    Dispositif    Nature"): its columns (cells
                    piped = " | " in line.text or line.text.strip().startswith("|")   # "| a | b |" are cells)
                    columns = None if piped else header_columns(line.text)
                    continue
                line = Line(line.n, row)
                raw = row
            bulleted = bool(BULLET.match(line.text))
            text = BULLET.sub("", raw, 1).strip() if bulleted else raw
            own_kind, text = stated_kind(text)
            text, self_funded = self.porteur_funding(text, line.n, pilots or [])
            after_word = bool(entries) and bool(CONNECTOR.search(previous))
            after_comma = bool(entries) and previous.rstrip().endswith(",")
            continues = after_word or after_comma
            ident, written, rest = self.funder_of(text)
            whole = self.complemented(text)
            if whole:   # "Région Languedoc-Roussillon : …", "ARS Occitanie (PRAPS)": the whole name
                ident, written, rest = whole
            colon = ident is not None and bool(re.match(r"^.{1,80}?\s*[:;(]", text))
            if ident is not None and ((after_word and not (bulleted and colon)) or (after_comma and not colon)):
                ident, written, rest = None, "", text
            elif colon:
                continues = False
            instrument_first = None
            sub_bullet = bool(re.match(r"^\s*(?:→|o\s|▪|◦|\uf0d8|>)", line.text))
            if header and sub_bullet and not continues:   # "→ FIPD : prévention …" under "-État :"
                m = re.match(r"^(.{1,60}?)\s*:\s*(.*)$", text)
                if m and self.instruments.exact(m.group(1)):
                    ident, written, rest = header["funder"], header["written"], ""
                    instrument_first = (self.instruments.spelling(m.group(1).strip(), self.instruments.exact(m.group(1))),
                                        m.group(2).strip())
            if ident is None and not continues and (bulleted or not entries):
                lead = self.orgs.leading(text)
                found = self.orgs.inside(text[:80])
                longer = re.match(r"^([A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)*)\s*(?::|\(|\s[–—-]\s|$)", lead[2]) if lead[0] else None
                if longer and not self.orgs.exact(longer.group(1)) and not self.instruments.exact(longer.group(1)) \
                        and not self.instruments.inside(longer.group(1)):   # "Le Mans Métropole Habitat : …": a body of its own
                    name = f"{lead[1]} {longer.group(1)}"
                    ident, written, rest = PROPOSED + name, name, lead[2][longer.end(1):].strip(" :.-")
                elif lead[0]:                    # starts with a known organisation
                    ident, written, rest = lead[0], lead[1], lead[2].strip(" :.-")
                elif found and not entries and self.org_kind(found[-1][1]) != "programme":   # "Bop 147 politique ville Préfecture (…)"
                    _, ident, key = found[-1]
                    written, rest = as_written(text, key), self.strip_funder(text, ident)
            # "Limoges Habitat : abattement de TFPB" on a line of its own, not continuing the one before
            # (where funders are bulleted, "Petite enfance : …" under "-Département :" is one's own)
            named = not bullets and bool(re.match(r"^[A-ZÀ-Ý][^:;,.–—]{1,50}?\s[:–—]\s*\S", text)) \
                and not (entries and CONNECTOR.search(previous)) \
                and not SENTENCE.search(text) and not (header and header["raw"].rstrip().endswith(":"))
            # a name alone on its line under lines "Funder : …" (one funder a line): a funder of its own
            # or the one line of its heading ("Financeur (droit commun) — Action Logement")
            alone = not bulleted and not continues and (bool(entries) and bool(re.search(r"\s:\s", previous)) or sole) \
                and ":" not in text and len(text.split()) <= 6 and looks_like_name(text)
            if ident is None and (row or (bulleted or named or alone) and not continues):
                # a table row, or a bullet "Name (X) : a, b", whose funder no registry knows: kept as written
                # (a bullet's funder may be long: "Conférence des financeurs de la prévention de la perte
                # d'autonomie de Lot-et-Garonne : 4 000 €")
                m = re.match(r"^((?:[A-ZÀ-Ý]|[a-z]+\d*[A-Z]|(?:association|centre social|régie de quartier|maison)\s+[A-ZÀ-Ý])[^:;]{1,%d}?)"
                             r"\s*(?:\(([^)]{1,40})\))?\s*(?::|\s[–—-])\s*(.*)$" % (100 if bulleted else 60), text) \
                    or re.match(r"^((?:[A-ZÀ-Ý]|[a-z]+\d*[A-Z])[^:;()]{1,60}?)\s*\(([^)]{1,60})\)()\s*$", text)   # "• ANRU (NPNRU)", "m2A Habitat (…)"
                if m and len(m.group(1).split()) <= (14 if bulleted else 8) and not SENTENCE.search(m.group(1)):
                    ident, written = self.funders_joined(m.group(1).strip()) or PROPOSED + m.group(1).strip(), m.group(1).strip()
                    rest = ", ".join(x for x in (m.group(2), m.group(3)) if x and x.strip())
                elif row and row.strip():
                    ident, written, rest = PROPOSED + row.strip(" :"), row.strip(" :"), ""
                elif (bulleted or alone) and not continues and len(text.split()) <= 6 and looks_like_name(text) \
                        and not self.instruments.exact(text) and (not looks_like_instrument(text) or own_kind and not (header and header["raw"].rstrip().endswith(":"))):
                    # ("• CARENE (crédits spécifiques)": an acronym that states its kind is a funder)
                    ident, written, rest = PROPOSED + text.strip(" :."), text.strip(" :."), ""   # a funder alone
            if ident is not None and bulleted and not sub_bullet and not instrument_first:
                header = None
            if ident is not None:
                entry = {"line": line.n, "to": line.n, "funder": ident, "written": written, "text": rest, "raw": raw,
                         "row": row is not None, "kind": own_kind or (row_kind(line_raw, columns) if row is not None else None)}
                if instrument_first:
                    entry["instrument"], entry["purpose"] = instrument_first

                if self_funded:
                    entry["flag"] = self_funded
                entries.append(entry)
                if not rest and not instrument_first:
                    header = entry
            elif entries:
                e = entries[-1]
                cut = re.match(r"^([^:;,()]{1,40}?)\s*(?::\s*|(?=\()|$)(.*)$", text)
                if not e["text"].strip() and CONNECTOR.search(e["written"]) and cut and re.match(r"^[A-ZÀ-Ý]", text):
                    # "- Région Pays de la" / "Loire : FSE+, Visa métiers": the funder's name goes on
                    name = join_cut_words(e["written"], cut.group(1))
                    e.update(funder=self.orgs.exact(name) or self.named_body(name) or PROPOSED + name, written=name,
                             text=cut.group(2).strip(), kind=e["kind"] or own_kind)   # "… des" / "Ardennes (DC) : …"
                else:
                    e["text"] = join_cut_words(e["text"], text)
                e["to"] = line.n
                e["raw"] = join_cut_words(e["raw"], raw)
            else:
                self.unresolved("funding line", text, line.n, orientation)
            previous = text
        # (sums in both columns of kind, "droit-commun+specifique": a line of each)
        entries = [dict(e, kind=k) if e["kind"] and "+" in e["kind"] else e
                   for e in entries for k in ((e["kind"] or "").split("+") if e["kind"] and "+" in e["kind"] else [None])]
        return self.lines_of(entries, kind, heading, orientation)

    @staticmethod
    def porteur_funding(text: str, n: int, pilots: list[dict]) -> tuple[str, str | None]:
        """"Autofinancement : 35 000 €" in a fiche whose porteur (the pilot named last above line `n`,
        alone on its line) is X: "X : 35 000 €", and a flag saying so; the text as it is otherwise."""
        m = SELF_FUNDED.match(text)
        above = [p for p in pilots if p["line"] < n]
        last = [p for p in above if p["line"] == max(p["line"] for p in above)] if above else []
        if not m or len(last) != 1:
            return text, None
        name = last[0].get("written") or last[0].get("name")
        said = text.split(":")[0].strip()
        rest = ", ".join(x.strip() for x in m.groups() if x and x.strip())
        # "Ville de Nevers (manager de commerce)", "Alès Agglomération – coordination du CLS": the body funds
        body = re.sub(r"\s*\([^()]*\)$|\s+[–—]\s+.*$", "", name)
        return f"{body} : {rest}" if rest else body, \
            f"Ligne écrite « {said} » : le porteur de la fiche ({name}, l. {last[0]['line']}) se finance lui-même."

    def sentences_of_funding(self, lines: list[Line]) -> list[Line]:
        """Paragraphs of a funding section written in sentences ("L'État mobilisera au titre de la
        politique de la ville le programme 147 …"): one bulleted line per sentence whose subject is a
        known body, on the line the sentence starts ("• État (crédits politique de la ville) :
        programme 147"); other lines as they are."""
        out: list[Line] = []
        for para, text, starts in paragraphs(lines):
            rows = [k for k, l in enumerate(para) if re.search(r"\S\s{3,}\S|\|", l.text.strip())]
            if rows and rows[-1] + 1 < len(para):   # a table, then a sentence under it: the sentence alone
                tail = paragraphs(para[rows[-1] + 1:])
                if not tail:
                    continue
                para, text, starts = tail[0]
            elif rows:
                continue
            if not text.rstrip().endswith("."):
                continue
            # (a known body, or a name the sentence gives a kind: "m2A Habitat et Néolia mobilisent, au
            # titre du droit commun, …")
            made = [Line(line_at(starts, at), "• " + said) for at, said in funding_sentences(text)
                    if self.orgs.leading(name := re.sub(r"\s*\(.*$|\s:.*$", "", said))[0]
                    or len(name.split()) <= 5 and looks_like_name(name) and re.match(r"[A-ZÀ-Ý]", name)]
            if made:
                out.append((para, made))
        return paragraphs_replaced(lines, out)
