"""The structure of a contract: the protocol's list of orientations, the orientation fiches and
their sections, the annex of indicators."""

from __future__ import annotations

import re

from ..runon import run_on_as_sections
from ..contributions import contributions_as_sections, opens_list
from ..prose import END, roles_in_sentences, sentences_as_sections
from ..reading import BREAK, BULLET, RULE, Line, items, join_cut_words, key_of
from ..sections import (ANNEX, AXIS_PROTO, CAPS_PART, FUNDING_KINDS, KIND_CELL, ORIENT_PROTO, PART, SIGNATORIES, TOC_LINE,
                        funding_table_header, generic_heading, orientation_table_header, rest_after, section_of, two_roles)
from .headings import Headings, carries

# a form's box ticked for the kind of its plan of funding: "Nature des crédits : [X] droit commun  [ ] crédits spécifiques"
TICKED = re.compile(r"(?:\[\s*[xX✓✔]\s*\]|[☒☑])\s*(?P<what>[^\[\]☐☒☑]+)")


def checked_kind(funding: list[dict], body: list[Line]) -> list[dict]:
    """The lines of a plan that state no kind, of the kind the form's box ticks for the whole plan
    ("Nature des crédits : [X] droit commun [ ] crédits spécifiques"), flagged; as they are when
    there is no box or both are ticked."""
    for line in body:
        if re.match(r"^nature des credits\b", line.key):
            kinds = {kind for m in TICKED.finditer(line.text) for kind, rx in KIND_CELL
                     if rx.match(key_of(m.group("what").strip(" :;,")))}
            if len(kinds) != 1:
                return funding
            kind = kinds.pop()
            for e in funding:
                if e["kind"] == "non-precise" and not e.get("inferred"):
                    e.pop("heading", None)
                    note = f"Nature cochée pour tout le plan de financement (l. {line.n}) : {line.text.split(':', 1)[-1].strip()}."
                    e.update(kind=kind, flag=f"{e['flag']} {note}" if e.get("flag") else note)
            return funding
    return funding


def without_repeats(recap: list[dict], funding: list[dict]) -> list[dict]:
    """A list of co-funders beside a plan of funding recalls the plan's funders: only those the plan
    does not name are lines of their own ("Co-financeurs : État ; CAF ; Bpifrance": Bpifrance)."""
    if not funding:
        return recap
    named = {key_of(f["funder"]).split()[0] for f in funding if f["funder"].strip()}
    return [e for e in recap if key_of(e["funder"]).split()[0] not in named]


# a numbered part of the document after the fiches: "4. Gouvernance, suivi et évaluation", "5. Signatures"
# ("Gouvernance, suivi et évaluation" with no number too, not "Gouvernance" alone: a fiche's section)
CLOSING_PART = re.compile(r"^\d{1,2}[.)]?\s+(?:la |le |les |l')?(?:gouvernance|suivi et evaluation|evaluation|signatures?|annexes?"
                          r"|pilotage et (?:suivi|animation)|modalites de (?:suivi|pilotage)|dispositions (?:finales|generales))\b"
                          r"|^(?:la |le |l')?(?:gouvernance,? (?:du contrat|(?:et )?suivi|et animation)|suivi et evaluation du contrat)[^.]{0,40}$")


class Fiches(Headings):
    """Reading the fiches (a part of `Reader`)."""

    # protocol ---------------------------------------------------------------------------------------
    def protocol(self, end: int) -> tuple[dict[int, dict], list[dict]]:
        """The orientations listed before the first fiche, with their axes."""
        listed: dict[int, dict] = {}
        axes: list[dict] = []
        current_axis = None
        last = None
        for i, line in enumerate(self.lines):
            if line.n >= end:
                break
            k = BULLET.sub("", line.key, 1) if BULLET.match(line.text) else line.key
            m = AXIS_PROTO.match(k)
            if m:
                g = re.search(r"[«\"]\s*(.*?)\s*(?:[»\"]|$)", line.text)
                current_axis = {"title": (g.group(1) if g else m.group(1)).strip(), "line": line.n}
                axes.append(current_axis)
                last = None
                continue
            m = ORIENT_PROTO.match(k)
            if m:
                n = int(m.group(1))
                title = BULLET.sub("", line.text, 1).strip()
                title = re.split(r"\s*[:.\-–]\s*", title, maxsplit=1)[1] if re.search(r"[:]", title) else rest_after(line, m.group(2))
                last = listed[n] = {"number": n, "title": title.strip(), "line": line.n,
                                    "axis": len(axes) - 1 if current_axis else None}
                continue
            if last and line.text.strip() and not BULLET.match(line.text) and not AXIS_PROTO.match(k) \
                    and not re.match(r"^article\b", k) and line.n == last["line"] + 1 + last.get("more", 0):
                last["title"] = join_cut_words(last["title"], line.text)
                last["more"] = last.get("more", 0) + 1
            elif not line.text.strip():
                last = None
        return listed, axes

    # fiches -------------------------------------------------------------------------------------------
    def fiches(self) -> list[dict]:
        stretches = self.head_stretches()
        heads = self.fiche_heads(stretches)
        # a fiche ends at the annex, the signatories, "Fait à Châtellerault, le 3 mars 2025", or a part
        # of the document ("TITRE III – LA GOUVERNANCE")
        stops = [i for i, l in enumerate(self.lines) if ANNEX.match(l.key) or SIGNATORIES.match(l.key) and not opens_list(self.lines, i)
                 or re.match(r"^fait a(?:ux?)?\b.{2,60}\ble\b", l.key) or PART.match(l.key)
                 or CAPS_PART.match(l.text) and not self.heading_like(l) and not self.axis_like(l)]
        if (self._generic or "").startswith("#"):   # in an outline, a heading above the fiches' level ("3." after "2.6")
            stops += [i for i, l in enumerate(self.lines) if (g := generic_heading(l.key)) and not TOC_LINE.search(l.text)
                      and (g[0] == "" or g[0].startswith("#") and g[0] < self._generic)]
        tables = [i for i, l in enumerate(self.lines) if orientation_table_header(l.text)]
        # a funding table whose rows come under a row naming their orientation, after the last fiche
        grouped = [i for i, l in enumerate(self.lines) if heads and i > heads[-1] and self.grouped_table(i)]
        stops += tables[:1] + grouped[:1]   # a maquette financière by orientation ends the fiche before it
        sequels = self.sequels(heads, stretches)
        starts = sorted(heads + [i for more in sequels.values() for i in more])
        out = []
        for j, start in enumerate(starts):
            end = starts[j + 1] if j + 1 < len(starts) else len(self.lines)
            # "Indicateurs de suivi" above the fiche's pilots and funding is its section, not the annex
            local = [s for s in stops if start < s < end and not self.lines[s].key.startswith("annexe")
                     and ANNEX.match(self.lines[s].key) and carries(self.lines[s + 1:end])]
            end = min([s for s in stops if s > start and s not in local] + [end])
            # "GOUVERNANCE, SUIVI ET ÉVALUATION" after the last fiche's sections: a part of the document
            end = next((i for i in range(start + 3, end) if (self.part_in_capitals(self.lines[i]) or CLOSING_PART.match(self.lines[i].key))
                        and not carries(self.lines[i + 1:end])), end)
            out.append(self.fiche(start, end))
        out = self.with_sequels(out, [starts.index(i) for i in heads])
        if tables:
            self.funding_by_orientation(out, heads, tables)
        if grouped:
            self.funding_by_group_rows(out, grouped)
        self.roles_by_matrix(out)
        self.funding_by_kind_matrix(out)
        self.roles_by_engagements(out)
        self.roles_by_rows(out)
        return out

    def head_stretches(self) -> list[tuple[int, int | None, int, int]]:
        """Each line that heads an orientation's number: (index, number, end, lines), the stretch
        ending at the next such line or, before, at the next part ("ARTICLE 4 – MODE D'EMPLOI") or
        the signatories; `lines` counts its lines that are not blank."""
        heads = [i for i, l in enumerate(self.lines) if self.is_head(l)]
        out = []
        for j, start in enumerate(heads):
            end = heads[j + 1] if j + 1 < len(heads) else len(self.lines)
            end = next((i for i in range(start + 1, end) if PART.match(self.lines[i].key) or SIGNATORIES.match(self.lines[i].key)), end)
            out.append((start, self.fiche_number(self.lines[start]), end, sum(1 for l in self.lines[start + 1:end] if l.text.strip())))
        return out

    def fiche_heads(self, stretches: list[tuple[int, int | None, int, int]] | None = None) -> list[int]:
        """The lines that open a fiche. A number headed twice is first a list of the orientations
        (a line or two each) and then a fiche: the first stretch with headings of a fiche's sections
        is the fiche (a later one is a sequel, see `sequels`), else the longest."""
        # "Objectif opérationnel 1.2" lines under "Objectif stratégique 1" are its objectives (`is_head`)
        spans = {}
        stretches = self.head_stretches() if stretches is None else stretches
        for start, n, end, size in stretches:
            # (a fiche has headings of its own: "Constat", "Pilote :"; the orientations' list has none)
            sections = any(section_of(l.key) for l in self.lines[start + 1:end] if not TOC_LINE.search(l.text))
            if n not in spans or (sections and not spans[n][2]) or size > spans[n][1] and not sections and not spans[n][2]:
                spans[n] = (start, size, sections)
        # the orientations headed in runs (1, 2, 3… then again 1, 2…): the first run that is no list
        # (most of its stretches two lines or more) holds the fiches; a later run is their sequels
        # (a chapter of governance, a table of roles by orientation)
        runs: list[list[tuple[int, int | None, int]]] = []
        for start, n, _, size in stretches:
            if not runs or n is None or runs[-1][-1][1] is None or n <= runs[-1][-1][1]:
                runs.append([])
            runs[-1].append((start, n, size))
        first = next((r for r in runs if len(r) >= 2 and 2 * sum(size >= 2 for _, _, size in r) > len(r)), None)
        if first:
            for start, n, _ in first:
                if n is not None and n in spans and spans[n][0] > start:
                    spans[n] = (start, 0, True)
        return sorted(start for start, _, _ in spans.values())

    def sequels(self, heads: list[int], stretches: list[tuple[int, int | None, int, int]]) -> dict[int, list[int]]:
        """The other lines that head an orientation's number with a stretch of their own (three lines
        or more up to the next such line: no list of the orientations), by fiche: a later part about
        the same orientation ("Orientation III (emploi) :" in a chapter of governance, "Orientation
        III – Emploi" over its rows in a financial annex), whose items are the fiche's too."""
        number = {start: n for start, n, _, _ in stretches}
        out: dict[int, list[int]] = {}
        for j, (start, n, _, _) in enumerate(stretches):
            end = stretches[j + 1][0] if j + 1 < len(stretches) else len(self.lines)
            size = sum(1 for l in self.lines[start + 1:end] if l.text.strip())
            fiche = next((h for h in heads if number[h] == n), None)
            if start not in heads and fiche is not None and start > fiche and size >= 3:
                out.setdefault(fiche, []).append(start)
        return out

    def with_sequels(self, read: list[dict], mains: list[int]) -> list[dict]:
        """The fiches read, each with the pilots, services and funding of its sequels added (see
        `sequels`); the fiche is the first of them in the text that has a stretch of its own."""
        out = []
        for j in mains:
            fiche = read[j]
            for other in read:
                if other is not fiche and other["number"] == fiche["number"]:
                    self.found.counts["orientations"] -= 1   # (its items were counted as it was read)
                    for key in ("pilots", "services", "funding"):
                        if other.get(key):
                            fiche.setdefault(key, []).extend(other[key])
                            fiche["missing_sections"] = [s for s in fiche.get("missing_sections", []) if s != key]
                    if not fiche.get("missing_sections", True):
                        del fiche["missing_sections"]
            out.append(fiche)
        return out

    @staticmethod
    def paragraph_after(title: str, text: str) -> bool:
        """Whether `text` opens a paragraph below a whole title ("… à la sortie du lycée" / "Dans
        les écoles des quartiers, classées en REP …"): a long line opening a sentence in a capital,
        the title not cut on a word that needs more."""
        return len(title.split()) >= 3 and len(text.strip()) >= 60 and bool(re.match(r"^[A-ZÀ-Ý][a-zà-ÿ’']", text.strip())) \
            and not re.search(r"(?:[,–-]|\b(?:de|du|des|la|le|les|l['’]|d['’]|à|au|aux|et|ou|en|pour|sur))$", title.strip(), re.I)

    def fiche(self, start: int, end: int) -> dict:
        head = self.lines[start]
        heading = self.heading_of(head)
        number, rest = heading
        n = self.fiche_number(head)
        title = rest_after(head, rest)
        if "." in number and not heading.before:
            title = f"{number} {title}".strip()
        body = self.lines[start + 1:end]
        for i, line in enumerate(body):   # "B - Un territoire attractif" just before the next fiche
            if self.axis_like(line) and not any(l.text.strip() and not RULE.match(l.text) for l in body[i + 1:]):
                body = body[:i]
                break
        # the title runs on until a blank line, a heading or a sentence ("Les élèves … moins bien.")
        # (a line in lower case goes on with the title even when a heading's word: "… aux services" / "publics")
        # (a title closed by its colon, "Orientation III (emploi) :", is whole)
        while body and body[0].text.strip() and not title.rstrip().endswith(":") \
                and not (section_of(body[0].key) and not body[0].text.strip()[0].islower()) \
                and not self.axis_like(body[0]) \
                and not self.heading_of(body[0]) \
                and not (body[0].text.strip().endswith(".") and len(body[0].text.split()) >= 6) \
                and not self.paragraph_after(title, body[0].text):
            title = join_cut_words(title, body[0].text)
            body = body[1:]
        # "Cette orientation est pilotée par A, en lien avec B.", "Y sont associés …", "Au titre du droit
        # commun, l'Éducation nationale mobilise …", "Elle mobilise les crédits de droit commun de …"
        # (each "Fiche action N.M" inside the orientation by itself: one may give its roles under
        # headings, the next in sentences)
        body = [part for line in body for part in two_roles(line)]   # "Copilote et financeur — X : …"
        body = run_on_as_sections(body)   # "Action 1.2 – …. Pilote : A ; partenaires : B ; financements : …"
        body = contributions_as_sections(body)   # "Contributions des partenaires" and its bullets
        cuts = [0] + [i for i, l in enumerate(body) if i and self.heading_of(l) and not TOC_LINE.search(l.text)] + [len(body)]
        body = [l for a, b in zip(cuts, cuts[1:]) for l in sentences_as_sections(body[a:b], roles_in_sentences(body[a:b]))]
        parts: dict[str, list[Line]] = {}
        order: list[tuple[str, Line]] = []
        current = None
        before = ""   # the line above, for a sentence going on ("…, en" / "crédits spécifiques, le BOP 147")
        for line in body:
            if line.text == END:   # the end of what a sentence stated
                current = None
                continue
            if re.search(r"\(suite(?: et fin)?\)\s*$", line.text, re.I) and re.match(r"^(?:fiche|orientation|axe|objectif|action)", line.key):
                continue   # "FICHE ORIENTATION N°4 (suite)" after a page break: the same fiche going on
            s = section_of(line.key)
            if not s and self.heading_of(line) and not TOC_LINE.search(line.text):
                current = None   # "Fiche action 1.2 – …" inside the orientation: a part of it, its sections the orientation's
                continue
            if s and s[1] and current and ":" not in line.text and re.match(r"^[a-zà-ÿ]", line.text.strip()) \
                    and before and not before.rstrip().endswith((".", ":", ";")):
                s = None
            before = line.text if line.text.strip() else before
            if not s and not (current or "").startswith("funding") and funding_table_header(line.text):
                # "Partenaire    Type de crédit    Dispositif    Montant" with no funding heading above
                # it: the table opens the funding, its header row the first of its lines
                current = "funding-np"
                order.append((current, line))
                parts.setdefault(current, []).append(line)
                continue
            inner = section_of(s[1]) if s and s[0].startswith("funding") and s[1] else None
            if inner and inner[0].startswith("funding"):   # "Financements : Droit commun :" (a table's row)
                s = (inner[0], inner[1])
            if s:
                name, k_rest = s
                current = name
                order.append((name, line))
                if parts.get(name):   # the same heading again (a second "Porteur :"): a new item
                    parts[name].append(Line(line.n, BREAK))
                parts.setdefault(name, [])
                rest = rest_after(line, k_rest)
                if name.startswith("funding"):   # "Crédits de droit commun de la CAF : CLAS": the CAF's line
                    rest = re.sub(r"^(?:de\s+la|du|de\s+l['’]|des|de)\s+(?=[A-ZÀ-Ý])", "", rest)
                if rest:
                    parts[name].append(Line(line.n, rest))
            elif current:
                parts[current].append(line)
        if any(l.text.strip() and l.text != BREAK for l in parts.get("title", [])):
            # "FICHE ACTION N° 1" or "FICHE 2 – ACCÈS AUX DROITS" / "Intitulé    Améliorer l'accès aux
            # droits …": the title is the label's value
            title = ""
            for line in parts["title"]:
                if line.text.strip() and line.text != BREAK:
                    title = join_cut_words(title, line.text) if title else line.text.strip()
        fiche = {"number": n, "line": head.n, "title": title.strip(" :")}
        self.found.counts["orientations"] += 1
        if parts.get("data"):   # DONNÉES kept as written, line by line, for a person to turn into figures
            fiche["data_written"] = [{"line": l.n, "text": l.text.strip()} for l in parts["data"] if l.text.strip()]
            self.found.counts["data lines"] += len(fiche["data_written"])
        for key in ("objectives", "actions"):
            if key in parts:
                fiche[key] = [{"line": ln, "text": t} for ln, t in items(parts[key])]
                self.found.counts[key] += len(fiche[key])
        for line in list(parts.get("pilots", [])):   # "Pilote : France Travail, en lien avec la Mission locale"
            m = re.search(r",?\s*\b(?:en lien avec|en partenariat avec|avec l['’]appui d[eu]s?|avec le concours d[eu]s?)\s+(.+)$",
                          line.text)
            if m and m.start() > 0:
                parts["pilots"][parts["pilots"].index(line)] = Line(line.n, line.text[:m.start()])
                if parts.get("services"):
                    parts["services"].append(Line(line.n, BREAK))
                parts.setdefault("services", []).append(Line(line.n, m.group(1)))
        for key in ("pilots", "services"):
            if key in parts:
                fiche[key] = self.participants(parts[key], n, key[:-1])
                self.found.counts[key] += len(fiche[key])
        if "funding-partners" in parts and any(k.startswith("funding") and k != "funding-partners" for k in parts):
            # "Partenaires financeurs : CAF, Région" beside "Moyens mobilisés": partners like the others
            fiche.setdefault("services", []).extend(self.participants(parts.pop("funding-partners"), n, "service"))
            order = [(k, h) for k, h in order if k != "funding-partners"]
        funding, recap = [], []   # (recap: a "Co-financeurs" list beside a plan of funding)
        chunks: dict[str, list[list[Line]]] = {}   # a heading's own lines: the same heading again starts anew
        for name in parts:
            if name.startswith("funding"):
                chunks[name] = [[]]
                for line in parts[name]:
                    chunks[name].append([]) if line.text == BREAK else chunks[name][-1].append(line)
        for name, heading in order:
            if name.startswith("funding"):
                lines = chunks[name].pop(0) if chunks.get(name) else []
                listed = bool(re.match(r"^co[- ]?financeurs?\b", heading.key))
                if listed and lines:   # "Co-financeurs : A ; B ; C" over lines: a funder a piece
                    whole = " ".join(l.text.strip() for l in lines)
                    lines = [Line(lines[0].n, "• " + p.strip()) for p in whole.split(";") if p.strip()]
                got = self.funding(lines, FUNDING_KINDS[name], heading, n, fiche.get("pilots"))
                (recap if listed else funding).extend(got)
        funding = checked_kind(funding, body) + without_repeats(recap, funding)
        for name in chunks:
            parts.pop(name, None)
        if funding:
            fiche["funding"] = funding
            self.found.counts["funding lines"] += sum(max(1, len(f.get("instruments", []))) for f in funding)
        missing = [s for s in ("pilots", "services", "actions") if s not in parts and s not in fiche]
        if missing:
            fiche["missing_sections"] = missing
        return fiche
