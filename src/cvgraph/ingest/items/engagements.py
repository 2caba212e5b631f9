"""Roles and money a contract sets out signatory by signatory ("2.3 Engagements de la Ville
d'Angoulême", then "– Orientation 1 : la Ville assure le pilotage … Elle mobilise son droit commun :
…"), given back to the orientations each statement names."""

from __future__ import annotations

import re

from ..naming import split_list
from ..prose import PILOTS
from ..prose_funding import SAYS_KIND
from ..reading import BULLET, Line, join_cut_words, key_of
from ..sections import ANNEX, PART, SIGNATORIES, header_columns, column_cells, table_cells
from .base import ReaderBase

# "2.3 Engagements de la Ville d'Angoulême", "Les engagements de l'État :"
ENGAGEMENTS = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+|[A-H][.)]\s+)?(?:les\s+)?engagements?\s+"
                         r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)(?P<body>\S.{1,140}?)\s*:?$", re.I)
# the bodies of a part's heading, not of one signatory ("Les engagements des signataires")
_ALL = re.compile(r"^(?:signataires|partenaires|parties)\b")
_OTHERS = re.compile(r"^autres\s+(?:partenaires|signataires|acteurs)\b")
# where a statement names its orientations: "Orientation 2 :", "Orientations 1 et 7", "l'orientation
# n°5", "aux orientations 1, 5 et 7", "(O3)", a table's first cell "O4"
REF = re.compile(r"\borientations?\s+(?:n\s*°\s*)?(?P<list>\d{1,2}(?:\s*(?:,|et)\s*(?:n\s*°\s*)?\d{1,2}\b)*)"
                 r"|\(O(?P<short>\d{1,2})\)", re.I)
# a statement's opening that names its orientations, before its subject
_OPENING = re.compile(r"^\s*(?:(?:pour|au titre de|dans|sur)\s+l['’]\s*orientation\s+(?:n\s*°\s*)?\d{1,2}\s*,\s*"
                      r"|orientations?\s+(?:n\s*°\s*)?\d{1,2}(?:\s*(?:,|et)\s*\d{1,2})*\s*[:–—-]\s*"
                      r"|\(O\d{1,2}\)\s*|au titre (?:de la|du|des|de) [^,]{3,60},\s*"
                      r"|(?:en outre|par ailleurs|de plus|enfin|en complément)\s*,\s*)+", re.I)
_PRONOUN = re.compile(r"^(?:il|elle|ils|elles)\b", re.I)
# the verb after a statement's subject
_VERB = re.compile(r"\s+(?:n['’]\s*)?(?:y\s+)?(?:assure|est|sont|sera|seront|co-?pilote|pilote|participe|contribue|s['’]associe"
                   r"|s['’]engage|mobilise|finance|cofinance|apporte|consacre|engage|porte|inscri[tv]|abonde|met|soutien"
                   r"|veille|coordonne|anime)(?:nt|ra|ront|t|ent)?\b")
PILOT_WORDS = re.compile(r"\b(?:co-?)?pilot(?:e|es|ent|age|ée|ées)\b|\bchef(?:fe)?s?\s+de\s+file\b", re.I)
SERVICE_WORDS = re.compile(r"s['’]associ|\bassociée?s?\s+(?:à|au|aux)\b|\bparticip|\bcontribu|\bpartenaires?\b", re.I)
# a kind of funding a statement names ("en droit commun", "crédits spécifiques", "sur les crédits
# politique de la ville"), and a negation before it ("ne mobilise pas de crédits spécifiques")
KIND_WORDS = [("droit-commun" if said == "droit commun" else "specifique", rx) for said, rx in SAYS_KIND]
_NEGATED = re.compile(r"\bne\s+\S+\s+(?:pas|aucun)|\bsans\b", re.I)
_ARTICLE = re.compile(r"^(?:l['’]\s*|le\s+|la\s+|les\s+)(?=[A-ZÀ-Ýa-zà-ÿ])", re.I)


def orientations_named(text: str) -> list[int]:
    out = []
    for m in REF.finditer(text):
        out += [int(x) for x in re.findall(r"\d{1,2}", m.group("list") or m.group("short"))]
    return list(dict.fromkeys(out))


_DETERMINER = re.compile(r"^(?:(?:de\s+|du\s+|des\s+|à\s+|au\s+|aux\s+|par\s+)?(?:la\s+|le\s+|les\s+|l['’]\s*|ses\s+|son\s+|sa\s+"
                         r"|leurs?\s+|des\s+|du\s+|un\s+|une\s+)|de\s+|au\s+|aux\s+)+", re.I)
_SUM_FOR = re.compile(r"^(?P<sum>(?:environ\s+)?\d[\d\s\u00a0\u202f.,]*\s*(?:M€|k€|€|euros)(?:\s+par\s+an|\s+sur\s+la\s+durée\s+du\s+contrat)?)"
                      r"\s+(?:de\s+crédits\s+\S+\s+)?(?:pour|à|au|aux)\s+", re.I)


def schemes_said(said: str) -> str:
    """What a statement says a body funds, as a list "a, b" a funding line reads: "en droit commun
    la DSIL et le Fonds vert." -> "DSIL, Fonds vert"; "40 000 € par an pour l'appel à projets" ->
    "appel à projets (40 000 € par an)"; an "et" before "à", "de"… is inside a name ("aide à la
    création et à la reprise")."""
    said = re.sub(r"[\s,.;]+(?:et\s+(?:en|sur|au titre)\b.*)?$", "", said).strip(" :,.")
    said = re.sub(r",?\s*[^,]*\borientations?\b.*$", "", said)   # ", réparti entre les orientations 1, 2 et 7"
    if said.startswith("(") and said.endswith(")"):
        said = said[1:-1]
    items: list[str] = []
    parts = re.split(r"(,\s+|\s+et\s+(?!(?:à|au|aux|de|du|des|d['’]|en|pour|sur)\b))", said)
    for sep, piece in zip([""] + parts[1::2], parts[0::2]):
        if items and "et" in sep and re.fullmatch(r"[\w+’'-]+\)?", piece.strip()):   # "maternelle et infantile", "REP et REP+"
            items[-1] = f"{items[-1]} et {piece.strip()}"
            continue
        if re.match(r"^(?:par|dans le cadre|en complément|sous réserve|soit)\b", piece.strip()):
            continue   # "par l'ANCT": through whom, not a scheme
        m = _SUM_FOR.match(piece.strip())
        piece = f"{piece.strip()[m.end():]} ({m.group('sum')})" if m else piece
        piece = re.sub(r"^(?:et\s+)?(?:(?:co)?(?:finance|mobilise|consacre|apporte|soutient)\s+)?", "", piece.strip())   # "et finance des postes"
        piece = _DETERMINER.sub("", piece)
        piece = re.sub(r"^(?:\d+\s+)?postes?\s+(?:d['’]\s*|de\s+)|^crédits\s+(?=[A-ZÀ-Ý])", "", piece)   # "postes d'adultes-relais"
        if piece:
            items.append(piece)
    return ", ".join(items)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.])\s+(?=[A-ZÀ-Ý])", text) if s.strip()]


class Engagements(ReaderBase):
    """Reading the engagements of each signatory (a part of `Reader`)."""

    def engagement_sections(self) -> list[tuple[str | None, Line, list[Line]]]:
        """(the body a section is about, or None for "autres partenaires"; its heading; its lines)."""
        heads = []
        for i, line in enumerate(self.lines):
            text = line.text.strip()
            m = ENGAGEMENTS.match(text) if len(text) < 160 and not text.endswith(".") else None
            if m:
                body, k = m.group("body"), i + 1
                while body.count("(") > body.count(")") and k < len(self.lines) and k < i + 3:   # "(A, B" / "C)"
                    body, k = join_cut_words(body, self.lines[k].text), k + 1
                heads.append((i, k, body.rstrip(" :")))
        out = []
        for j, (i, k, body) in enumerate(heads):
            end = heads[j + 1][0] if j + 1 < len(heads) else len(self.lines)
            end = next((x for x in range(k, end) if self.ends_engagements(self.lines[x])), end)
            if _ALL.match(key_of(body)):
                continue
            out.append((None if _OTHERS.match(key_of(body)) else body, Line(self.lines[i].n, body), self.lines[k:end]))
        return out

    def ends_engagements(self, line: Line) -> bool:
        text = line.text.strip()
        return bool(PART.match(line.key) or SIGNATORIES.match(line.key) or ANNEX.match(line.key)
                    or re.match(r"^fait a(?:ux?)?\b", line.key) or re.search(r"\bpartie\b", line.key) and text.isupper())

    def statements(self, lines: list[Line]) -> list[tuple[int, str, bool, Line | None]]:
        """A section's statements: (first line, text, whether it is a bullet or a table's row, the
        column heading of a table's funding cell); a table "Orientation | Rôle | Financement" gives a
        statement a row ("Orientation 3 : Pilote (…)") and one for its funding cell."""
        out: list[list] = []
        columns, money, heading = None, None, None
        for line in lines:
            text = line.text.strip()
            if not text:
                continue
            cells = table_cells(line.text)
            if cells and len(cells) >= 2 and re.match(r"^(?:orientations?|n\s*°|axes?)$", key_of(cells[0])):
                columns = header_columns(line.text)
                money = next((j for j, (_, c) in enumerate(columns) if re.match(r"^(?:financements?|moyens|credits)", c)), None)
                heading = Line(line.n, cells[money] if money is not None and money < len(cells) else "Financement")
                continue
            if columns:
                by = column_cells(line.text, columns)
                first = by.get(0, "").strip()
                if re.fullmatch(r"O?\d{1,2}", first):
                    out.append([line.n, {j: c for j, c in by.items() if j}, True, heading, (int(first.lstrip("O")), money)])
                    continue
                if not first and line.text[:1].isspace() and out and isinstance(out[-1][1], dict):
                    for j, c in by.items():   # a cell wrapped onto the next line
                        out[-1][1][j] = join_cut_words(out[-1][1].get(j, ""), c)
                    continue
                columns = None
            if BULLET.match(line.text):
                out.append([line.n, BULLET.sub("", text, 1).strip(), True, None, None])
            elif out and isinstance(out[-1][1], str) and not re.search(r"[.:]$", out[-1][1]):
                out[-1][1] = join_cut_words(out[-1][1], text)
            else:
                out.append([line.n, text, False, None, None])
        made = []
        for n, said, bullet, head, row in out:
            if isinstance(said, dict):   # a table's row: "Orientation N : role", "Orientation N : funding"
                number, j_money = row
                cash = said.get(j_money, "") if j_money is not None else ""
                roles = "; ".join(said[j] for j in sorted(said) if j != j_money)
                made.append((n, f"Orientation {number} : {roles}", True, None))
                if cash and not re.fullmatch(r"[—–-]", cash.strip()):
                    made.append((n, f"Orientation {number} : {cash}", True, head))
            else:
                made.append((n, said, bullet, None))
        return made

    def roles_by_engagements(self, fiches: list[dict]) -> None:
        """Each statement of a section "Engagements de X" that names orientations: X (or the body
        the statement names as its subject) a pilot of them ("assure le pilotage", "chef de file",
        "copilote"), an associated service ("s'associe", "participe", "contribue", "partenaire"),
        and a funder by each kind it names ("en droit commun : …", "crédits spécifiques : …"); a
        statement naming no orientation gives nothing."""
        by_number = {f["number"]: f for f in fiches}
        for body, heading, lines in self.engagement_sections():
            subject, last = body, []
            for n, text, bullet, money_heading in self.statements(lines):
                for k, sentence in enumerate(sentences(text)):
                    refs = orientations_named(sentence)
                    opened = _OPENING.sub("", sentence)
                    pronoun = bool(_PRONOUN.match(opened))
                    if not refs and ((bullet and k) or pronoun):
                        refs = last   # "… de l'orientation. Il mobilise …": the same orientations
                    last = refs
                    if not refs:
                        continue
                    # "Elle finance … l'accompagnement à la scolarité (orientation 1) et le centre
                    # socioculturel (orientation 7)": each sum goes to the orientation beside it
                    plain = re.sub(r"\(O\d{1,2}\)", "", sentence)   # ("(O3)" opens a statement)
                    beside = bool(orientations_named(plain)) and not orientations_named(re.sub(r"\([^()]*\)", "", plain))
                    for clause in (c.strip() for c in split_list(sentence, ";") if c.strip()):   # (not inside parentheses)
                        subject = self.subject_of(clause, body, subject, bullet)
                        self.engaged(by_number, refs, n, clause, subject, money_heading or heading, beside)

    def subject_of(self, clause: str, body: str | None, before: str | None, bullet: bool) -> str | None:
        """Who a clause is about: the body its passive names ("… est pilotée par la Ville"), the one
        it opens with ("la Région copilote …"), the section's body for a bullet with no subject of
        its own ("Orientation 6 : chef de file ; …") or opened by a pronoun, the body named before
        for a sentence opened by a pronoun."""
        for rx in PILOTS[:2]:
            m = rx.search(clause)
            if m:
                return _ARTICLE.sub("", m.group("names").strip())
        rest = _OPENING.sub("", clause).strip()
        if _PRONOUN.match(rest):
            return body if bullet else before
        m = _VERB.search(rest)
        head = rest[:m.start()] if m else ""
        head = re.split(r",\s", head)[0].strip()   # "GrandAngoulême, porteur du NPNRU, est …"
        if head and re.match(r"^(?:l['’]\s*|le\s+|la\s+|les\s+)?[A-ZÀ-Ý]|^(?:les\s+)?bailleurs\b", head) and len(head.split()) <= 14:
            return _ARTICLE.sub("", head)
        return body if bullet or not head else before

    def engaged(self, by_number: dict, refs: list[int], n: int, clause: str, subject: str | None, heading: Line,
                beside: bool = False) -> None:
        if not subject:
            return
        plain = re.sub(r"comit[ée]s?\s+de\s+pilotage", "", clause, flags=re.I)
        role = "pilot" if PILOT_WORDS.search(plain) else "service" if SERVICE_WORDS.search(plain) else None
        kinds = [(m.start(), m.end(), kind) for kind, rx in KIND_WORDS for m in rx.finditer(clause)
                 if not _NEGATED.search(clause[max(0, m.start() - 40):m.start()])]
        kinds.sort()
        pieces = []
        for i, (a, b, kind) in enumerate(kinds):
            said = clause[b:kinds[i + 1][0] if i + 1 < len(kinds) else len(clause)]
            if not re.search(r"\w", said) and i == 0:   # "… au programme Entrepreneuriat Quartiers 2030, financé sur crédits spécifiques."
                verb = _VERB.search(_OPENING.sub("", clause[:a]))
                said = _OPENING.sub("", clause[:a])[verb.end():] if verb else ""
                said = re.sub(r"[\s,]*(?:financée?s?\s+)?(?:sur|par|au titre d[eu]s?|de|des|en)?\s*$", "", said)
            said = re.sub(r"^[\s,:]*", "", said)
            verb = _VERB.search(said)
            if verb and re.match(r"^(?:l['’]\s*|le\s+|la\s+|les\s+)?[A-ZÀ-Ý][^,:;]{0,80}$", said[:verb.start()]):
                said = re.sub(r"^\s*(?:par ailleurs|en outre|également|aussi)\b", "", said[verb.end():])   # ", la Communauté … consacre par ailleurs X"
            # "… de leur droit commun (entretien), ils mobilisent l'abattement de TFPB": no kind said for the second
            then = re.search(r",\s+(?:il|elle|ils|elles)\s+(?:y\s+)?(?:mobilise|finance|consacre|apporte|engage)\w*\s+", said)
            if then:
                pieces.append(("non-precise", said[then.end():]))
                said = said[:then.start()]
            pieces.append((kind, said))
        if not kinds and heading.text.strip() and key_of(heading.text).startswith(("financ", "moyens", "credits")):
            pieces = [("non-precise", _OPENING.sub("", clause))]   # a table's funding cell that states no kind
        for number in refs:
            fiche = by_number.get(number)
            if fiche is None:
                continue
            if role and not (beside and orientations_named(clause) and not SERVICE_WORDS.search(re.sub(r"\([^()]*\)", "", plain))):
                self.add_items(fiche, role + "s", self.participants([Line(n, subject)], number, role))
            for kind, said in pieces:
                if beside:   # only the schemes "(orientation N)" follows
                    said = ", ".join(text for text, refs in re.findall(r"([^()]*?)\s*\((orientations?\s+[^()]*)\)", said)
                                     if number in orientations_named(refs))
                    if not said:
                        continue
                said = schemes_said(said)
                # "direction … (DSDEN) de la Charente": the name without its acronym in the middle
                funder = re.sub(r"\s*\([^()]*\)(?=\s+\S)", "", subject)
                self.add_items(fiche, "funding", self.funding([Line(n, f"• {funder} : {said}" if said else f"• {funder}")],
                                                              kind, heading, number))
