"""Pilots and associated services: the names a section lists, as lists, phrases or cut lines."""

from __future__ import annotations

import re

from ...names import normalise

from ..prose_names import OF_QUARTIERS, Masked
from ..naming import BODY_NOUN, looks_like_name, split_list, split_with_seps, written_org
from ..reading import BREAK, BULLET, Line, join_cut_words, key_of
from ..sections import SENTENCE
from .base import ReaderBase


class Participants(ReaderBase):
    """Reading pilots and services (a part of `Reader`)."""

    def participants(self, lines: list[Line], orientation: int, role: str) -> list[dict]:
        out = []
        for item_line, text in self.joined(lines):
            # "A, B et C y sont associés." (a heading's answer in a sentence): the names
            text = re.sub(r"\s+(?:y\s+)?(?:sont|est|seront|sera)\s+(?:également\s+|aussi\s+)?associée?s?\s*\.?$", "", text.strip())
            # "bailleurs sociaux : Clésence, Partenord Habitat": a kind, then the bodies it means
            text = re.sub(r"^([a-zà-ÿ][a-zà-ÿ' ]{2,40}?)\s*:\s*([A-ZÀ-Ý][^()]*?)\s*[;.]?$", r"\1 (\2)", text.strip())
            # (a list whose items are set apart by ";" has commas inside its names: "Direction
            # départementale de l'emploi, du travail et des solidarités ; Département")
            seps = ";" if ";" in text.rstrip(" ;.") else ",;+/"
            # (names with commas of their own: "Service départemental à la jeunesse, à l'engagement et aux sports")
            masked = Masked(text)
            pieces = [text] if SENTENCE.search(text) else self.merged(
                [(masked.restore(p), sep) for p, sep in split_with_seps(masked.text, seps)])
            pieces = [q for p in pieces for q in self.kind_and_names(p)]
            pieces = self.complements_joined([q for p in pieces for q in self.quartiers_apart(p)])
            for piece in pieces:
                for sub in self.split_et(piece):
                    # "La Caisse d'allocations familiales du Haut-Rhin" (a list in a sentence): the name
                    sub = re.sub(r"^(?:[Ll]a|[Ll]es?)\s+(?=[A-ZÀ-Ý])|^[Ll]['’]\s*(?=[A-ZÀ-Ý])", "", sub)
                    # "…, en binôme avec le manager du commerce de la Ville de Pau": the other one
                    sub = re.sub(r"^en\s+binôme\s+avec\s+(?:(?:la|le|les)\s+|l['’]\s*)?", "", sub)
                    proposed = {"line": item_line, "name": sub, "proposed": True}   # kept as written
                    if self.generic_with_complement(sub):
                        self.unresolved("organisation", sub, item_line, orientation)
                        out.append(proposed)
                        continue
                    ident = self.orgs.exact(sub)
                    if ident and self.plural_of_generic(sub):   # "les conseils citoyens": several bodies
                        out.append(proposed)
                        continue
                    if ident and self.is_local(ident):
                        # a name of some territory's body ("PLIE", "Police municipale"): the build
                        # finds that body if the contract is placed there, else proposes one
                        out.append(proposed)
                        continue
                    if ident:
                        name = self.orgs.spelling(sub, ident)
                        out.append({"line": item_line, "name": name, "written": text} if name != text
                                   else {"line": item_line, "name": name})
                        continue
                    one_body = re.match(r"^(?:(?:le|la|l['’])\s*)?[^\W\d]+(?<![sx])\b", key_of(sub)) and BODY_NOUN.match(key_of(sub)) \
                        and "(" not in sub   # "Centre hospitalier de …" (not "les chambres consulaires", "(dept) ASE")
                    lead = self.orgs.leading(sub) if not one_body and not sub.startswith("(") else (None, "", "")
                    if one_body or lead[0] and re.fullmatch(r"[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý0-9][\w'’-]*)*", lead[2]) \
                            and not (self.resolver and self.resolver.is_territory_name(lead[2])):
                        # "Centre hospitalier de l'agglomération de Nevers", "CDC Habitat": a body of its own,
                        # whatever names qualify it or start it
                        self.unresolved("organisation", sub, item_line, orientation)
                        out.append(proposed)
                        continue
                    named = self.names_in(sub)
                    ids = [i for i in named if not self.is_local(i)]   # not another territory's bodies
                    if ids:
                        out.append({"line": item_line, "written": sub,
                                    "orgs": [self.org_ref(i) for i in ids]})
                    elif named:   # only names of some territory's bodies
                        out.append(proposed)
                    else:
                        self.unresolved("organisation", sub, item_line, orientation)
                        # the build makes a body to be confirmed; so for a unit named in lower case with
                        # the body it belongs to ("mission politique de la ville du Grand Avignon")
                        if looks_like_name(sub) or re.match(r"^[a-zà-ÿ][\w'’-]+\s.*\b(?:de|du|des|d['’])\s*(?:la\s+|l['’])?[A-ZÀ-Ý]", sub):
                            out.append(proposed)
        return out

    def quartiers_apart(self, piece: str) -> list[str]:
        """"conseil citoyen des Hauts de Jasmin, Anah": a body of quartiers named as one, then a body
        the reference knows, not one more quartier."""
        m = re.match(r"^(.*\S)\s*(?:,|\bet\b)\s*([A-ZÀ-Ý][^,;()]*)$", piece.strip())
        if m and OF_QUARTIERS.match(piece.strip()) and self.orgs.exact(m.group(2)) and not self.resolver_place(m.group(2)):
            return [m.group(1), m.group(2)]
        return [piece]

    def resolver_place(self, name: str) -> bool:
        """Whether a name is a place's (a commune, a quartier of the reference), not a body's."""
        return bool(self.resolver and self.resolver.is_territory_name(name))

    @staticmethod
    def complements_joined(pieces: list[str]) -> list[str]:
        """"Mission Locale de l'Agenais", "de l'Albret et du Confluent": a piece that starts with "de"
        goes on with the name before it (a list's item never starts so)."""
        out: list[str] = []
        for p in pieces:
            if out and re.match(r"^(?:de la|de l['’]|du|des|d['’])\s*[A-ZÀ-Ý]", p.strip()):
                out[-1] = f"{out[-1]}, {p.strip()}"
            else:
                out.append(p)
        return out

    @staticmethod
    def kind_and_names(piece: str) -> list[str]:
        """"bailleurs sociaux (Troyes Habitat, Mon Logis, Aube Immobilier)": a kind of body in lower
        case, then the bodies it means by name: the bodies; other pieces as they are."""
        m = re.match(r"^([a-zà-ÿ][^()]{2,40}?)\s*\(([^()]+)\)$", piece.strip())
        names = [n.strip() for n in re.split(r"\s*[,;]\s*|\s+et\s+", m.group(2))] if m else []
        if len(names) >= 2 and all(re.match(r"^[A-ZÀ-Ý]", n) for n in names):
            return names
        return [piece]

    def names_in(self, text: str) -> list[str]:
        """Organisations named inside a phrase: in a sentence, only the one it starts with; a list in
        parentheses ("Certaines associations (EDS, la cravate solidaire…)") name by name."""
        if SENTENCE.search(text):
            lead = self.orgs.leading(text)
            return [lead[0]] if lead[0] else []
        m = re.match(r"^(.*?)\((.*)\)\s*$", text)
        if m:
            inner = [self.orgs.exact(p) or None for p in split_list(m.group(2))]
            whole = self.orgs.exact(m.group(1).strip()) if m.group(1).strip() else None
            head = [whole] if whole else self.names_in(m.group(1)) if m.group(1).strip() else []
            within = [i for i in inner if i] + [i for p in split_list(m.group(2)) if not self.orgs.exact(p)
                                                for i in self.names_in(p)]
            if head and within and all(any(self.part_of(i, h) for h in head) for i in within):
                return head   # "État (Préfecture de la Charente)": the body, its service a qualifier
            found = head + within
            return self.without_parents(list(dict.fromkeys(found)))
        inside = self.orgs.inside(text)
        if SENTENCE.search(text):
            inside = [x for x in inside if x[0] == 0][:1]
        return self.without_parents(list(dict.fromkeys(i for _, i, _ in inside)))

    def merged(self, pieces: list[tuple[str, str]]) -> list[str]:
        """Pieces put back together where the whole is a registered name ("Bus en + (CD)", "CLS/CLSM")."""
        glue = {"+": " + ", "/": "/", ",": ", ", ";": "; "}
        out, i = [], 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + 3), i + 1, -1):
                whole = "".join(p + glue.get(s, " ") for p, s in pieces[i:j - 1]) + pieces[j - 1][0]
                if normalise(whole) in self.orgs.by_key:
                    out.append(whole)
                    i = j
                    break
            else:
                out.append(pieces[i][0])
                i += 1
        return out

    def without_parents(self, ids: list[str]) -> list[str]:
        """Drop an organisation named only to qualify one of its own services ("(dept) ASE")."""
        return [i for i in ids if not any(self.part_of(j, i) for j in ids if j != i)]

    def org_ref(self, ident: str) -> str:
        """How an `orgs` list names a body: `written_org`, or for a body the reader made from the
        reference ("Ville de Reims", found from "VdR"), its label, which the build resolves again in
        the contract's territory (its id is the reader's own)."""
        if self.resolver and ident not in self.resolver.orgs.entries and ident in self.regs.organisations.entries:
            return self.regs.organisations[ident].get("label") or ident
        return written_org(self.regs, ident)

    def split_et(self, piece: str) -> list[str]:
        """"A et B" as two names when the whole is not a registered name ("Isle et Dronne" is)."""
        if self.orgs.exact(piece) or " et " not in re.sub(r"\([^()]*\)?", "", piece) or SENTENCE.search(piece) \
                or self.orgs.exact(re.sub(r"\s*\([^()]*\)$", "", piece)):
            return [piece]   # "Ville de X (police municipale et prévention)", "Terres et Mers (direction …)": one name
        if OF_QUARTIERS.fullmatch(piece.strip()):   # "conseils citoyens de A, B et C": one entry, as written
            return [piece]
        if re.search(r"\set\s+[a-zà-ÿ]+\s*$", piece):   # "Protection maternelle et infantile"
            return [piece]
        # "association Lire et Grandir en Cévennes", "club Sport et Quartiers", "Groupe hospitalier de la
        # région de Mulhouse et Sud Alsace": its name
        if re.match(r"^(?:l['’]\s*|le\s+)?(?:association|club|collectif|compagnie|amicale|(?:groupe|centre)\s+hospitalier)\s", piece, re.I):
            return [piece]
        first = re.split(r"\s+et\s+", piece)[0].strip()
        if " " not in first and not self.orgs.exact(first) and re.match(r"^\S+\s+et\s+[a-zà-ÿ]", piece):
            return [piece]   # "Atelier et chantier d'insertion Cévennes Recyclerie": one name
        # "les centres sociaux Pierre-Blanche et Rive gauche": bodies of one kind, named by the
        # plural before their names, as written
        if re.match(r"^(?:les\s+)?[a-zà-ÿ]+(?:s|x)(?:\s+[a-zà-ÿ]+(?:s|x))?\s+[A-ZÀ-Ý][^,]*\set\s+[A-ZÀ-Ý]", piece) \
                and BODY_NOUN.match(key_of(piece)):
            return [piece]
        # "Chambre de commerce et d'industrie de X": "et" followed by "d'…"/"de …" continues the name
        # and "Plan local pour l'insertion et l'emploi": "et l'" before a common noun too
        parts = [p.strip() for p in re.split(r"\s+et\s+(?!d['’]|de\s|du\s|des\s|l['’][a-zà-ÿ])", piece) if p.strip()]
        if self.resolver and len(parts) == 2 and self.resolver.is_territory_name(parts[1]) \
                and not re.search(r"\s(?:de|du|d['’])\s*\S+$", parts[0]):
            return [piece]   # "CCI Troyes et Aube": a territory's bare name is no body, but part of one ("Villes de A et B" are two)
        # "les services développement économique et emploi de La Cali": one noun and one "de Z" shared
        for i in range(len(parts) - 1):
            a = re.match(r"^(?:les\s+)?(services?|p[ôo]les?|directions?)\s+(?!.*\s(?:de|du|des|d['’])\s)(.+)$", parts[i], re.I)
            b = re.match(r"^(?!(?:le|la|les|l['’]|un|une)\s)(.+?)\s+((?:de la|de l['’]|du|des|de|d['’])\s*.+)$", parts[i + 1], re.I)
            if a and b:
                noun = a.group(1).rstrip("sS").capitalize()
                pair = [f"{noun} {a.group(2)} {b.group(2)}", f"{noun} {b.group(1)} {b.group(2)}"]
                if all(self.orgs.exact(x) for x in pair):
                    parts[i:i + 2] = pair
                    return parts
        if any(re.match(r"^(?!(?:la|le|les)\s|l['’])[a-zà-ÿ]", p) and not BODY_NOUN.match(key_of(p)) for p in parts[1:]):
            return [piece]   # "Lire et faire lire 58": no second name after "et"
        return parts

    def joined(self, lines: list[Line]) -> list[tuple[int, str]]:
        """Lines of a names section, joined where a line continues the previous one."""
        out: list[list] = []
        broken = False
        for line in lines:
            if line.text == BREAK:
                broken = True
                continue
            text = BULLET.sub("", line.text.strip(), 1).strip() if BULLET.match(line.text) else line.text.strip()
            if not text:
                continue
            # a line continues the previous one after ",", "-", "(", when it starts in lower case, or
            # when the previous is a list cut mid-name ("…, France Active" / "Auvergne-Rhône-Alpes, …")
            head = re.split(r"[,;]|\s+et\s+", text)[0].strip(" .")
            last = re.split(r"[,;]", out[-1][1])[-1].strip() if out else ""
            cut_list = bool(out) and "," in out[-1][1] and not out[-1][1].rstrip().endswith((".", ";", ":")) \
                and len(head.split()) <= 3 and bool(
                    self.orgs.exact(f"{last} {head}")                                   # "France / Services"
                    or (self.resolver and self.resolver.is_territory_name(head))        # "France Active / Auvergne-Rhône-Alpes"
                    or (len(last.split()) == 1 and not self.orgs.exact(last))
                    # "CCI métropolitaine" / "Bretagne ouest": a name that ends on a word in lower case
                    or (bool(re.match(r"^[A-ZÀ-Ý]{2,}\b", last)) and bool(re.search(r"\s[a-zà-ÿ][\w'’-]*$", last)) and not self.orgs.exact(last))
                    or (bool(BODY_NOUN.match(key_of(last))) and len(re.sub(r"^(?:la|le|les|l['’])\s*", "", last, flags=re.I).split()) <= 3
                        and bool(re.search(r"(?:^|\s)[a-zà-ÿ][\w'’-]*$", last))))   # "centre social" / "Les Forges", "Régie de quartier" / "Nevers Loire"
            cut_name = bool(out) and bool(re.search(r"\s(?:de|du|des|de la|d['’]|l['’]|et|à|aux)$", out[-1][1]))   # "Ville de" / "Vernouillet"
            # (not "conseil citoyen de X" on a line of its own below a whole name: one a line)
            own = bool(out) and bool(BODY_NOUN.match(key_of(text))) and not re.match(r"^(?:de|du|des|d['’]|la|le|les|l['’]|et|à|au|aux)\s", text) \
                and not re.search(r"[,(-]$|\s(?:de|du|des|et|la|le|les)$", out[-1][1])
            if out and not broken and (out[-1][1].endswith((",", "-", "(")) or re.match(r"^[a-zà-ÿ(]", text) and not own
                                       or cut_list or cut_name) and not BULLET.match(line.text):
                out[-1][1] = join_cut_words(out[-1][1], text)
            else:
                out.append([line.n, text])
            broken = False
        return [(n, t) for n, t in out]
