"""A fiche's list of what each partner brings ("Contributions des partenaires", "Engagements des
partenaires", "Ce que chacun apporte"): one bullet a body, "• Ville de X (chef de file) : …",
"• CAF du Loiret :" over sub-bullets of its contributions. Each bullet becomes the lines a fiche
with headings would have: the body among the pilots when its qualifier says it leads ("chef de
file", "pilote", "co-pilote"), else among the partners; each row (a bullet with no sub-bullets,
or a sub-bullet) that states money ("financement", "crédits", "cofinance", "prestation de
service", "abattement de TFPB", "appel à projets", "prêts"…) a funding line of that body, of the
kind the row states, else the kind the bullet's head states ("État – crédits politique de la
ville (BOP 147)"), else none (the section's heading)."""

from __future__ import annotations

import re

from .prose import END
from .prose_funding import SAYS_KIND
from .prose_names import bare
from .reading import Line, join_cut_words

# the heading of such a list, in key form
HEADING = re.compile(r"^(?:(?:les\s+)?(?:contributions?|engagements?|apports?|roles?)\s+(?:des|de chaque)\s+(?:partenaires?|signataires?|acteurs?)"
                     r"|ce que chacun (?:apporte|fait)|qui fait quoi)\s*[:?]?\s*$")
_TOP = re.compile(r"^[•▪●◦*]\s+|^[-–—]\s+(?=[A-ZÀ-Ý])")      # a body's bullet, at the margin
_SUB = re.compile(r"^\s+(?:[-–—•▪◦o]|\d+[.)])\s+")             # one of its contributions, indented
_LEADS = re.compile(r"\b(?:chef(?:fe)?s?\s+de\s+file|co-?pilote|pilote|copilote|pilotage)\b", re.I)
MONEY = re.compile(r"\b(?:financ\w*|cofinanc\w*|crédits?|subventions?|prêts?|prestations? de service|abattement|fonds\b"
                   r"|appels? à projets|BOP\s*147|programme\s+147|dotations?|enveloppe)", re.I)


def opens_list(lines: list[Line], i: int) -> bool:
    """Whether line `i` heads a list of contributions ("Engagements des partenaires" over "• Ville
    de X (chef de file) : …"), not the signatories' part of the document."""
    nxt = next((x for x in lines[i + 1:] if x.text.strip()), None)
    return bool(HEADING.match(lines[i].key)) and nxt is not None and bool(_TOP.match(nxt.text))


def contributions_as_sections(body: list[Line]) -> list[Line]:
    """`body` with each list of contributions replaced by "Pilotes :", "Partenaires :" and
    "Financements :" lines at the lines of its bullets; other lines as they were."""
    out: list[Line] = []
    i = 0
    while i < len(body):
        line = body[i]
        if TABLE.match(line.text):   # "Partenaire | Rôle | Moyens": its rows are the bullets
            bullets, j = _table_rows(body, i + 1)
            if bullets:
                out += _as_sections(bullets, "Financements")
                i = j
                continue
        if not HEADING.match(line.key):
            out.append(line)
            i += 1
            continue
        heading = line.text.strip().rstrip(" :")
        j = i + 1
        bullets: list[list] = []   # [line, head, rest, [(line, row text)]]
        while j < len(body):
            text = body[j].text
            if not text.strip():
                nxt = next((x for x in body[j + 1:] if x.text.strip()), None)
                if nxt is None or not (_TOP.match(nxt.text) or _SUB.match(nxt.text)):
                    break
            elif _TOP.match(text):
                item = _TOP.sub("", text.strip(), 1)
                head, sep, rest = item.partition(" :") if " :" in item else item.partition(":")
                bullets.append([body[j].n, head.strip(), rest.strip(), []])
            elif _SUB.match(text) and bullets:
                bullets[-1][3].append([body[j].n, _SUB.sub("", text, 1).strip()])
            elif bullets and text.startswith((" ", "\t")):   # a bullet going on
                if bullets[-1][3]:
                    bullets[-1][3][-1][1] = join_cut_words(bullets[-1][3][-1][1], text)
                else:
                    bullets[-1][2] = join_cut_words(bullets[-1][2], text) if bullets[-1][2] else text.strip()
            else:
                break
            j += 1
        if not bullets:
            out.append(line)
            i += 1
            continue
        out += _as_sections(bullets, heading)
        i = j
    return out


# a table of contributions: "Partenaire | Rôle | Moyens" (its cells "|" apart)
TABLE = re.compile(r"^\s*\|?\s*(?:partenaires?|acteurs?|structures?|organismes?)\s*\|\s*r[ôo]les?\s*(?:\|\s*\S.*)?$", re.I)


def _table_rows(body: list[Line], start: int) -> tuple[list[list], int]:
    """The rows of a table of contributions under its header, as bullets ([line, "Name (role)",
    what it brings, []]): a row whose role cell is empty goes on the row above (its name cut:
    "Les Résidences de" / "l'Orléanais"); and the index after the table."""
    rows: list[list] = []
    j = start
    while j < len(body) and body[j].text.strip():
        cells = [c.strip() for c in body[j].text.split("|")]
        if cells and not cells[0] and body[j].text.lstrip().startswith("|") and not body[j].text.startswith(" "):
            cells = cells[1:]   # "| a | b |": the table's outer rules
        if len(cells) < 2 or re.fullmatch(r"[-+=: ]+", body[j].text.strip()):
            j += 1
            continue
        name, role, what = cells[0], cells[1], " ".join(cells[2:]).strip()
        if rows and not role:
            row = rows[-1]
            row[1] = join_cut_words(row[1], name) if name else row[1]
            row[2] = join_cut_words(row[2], what) if what else row[2]
        else:
            rows.append([body[j].n, name, what, role])
        j += 1
    # (a role that leads as the bullets say it: "Ville d'Orléans, co-pilote (GUSP)"; "Partenaire" is every row's)
    return [[n, f"{name}, {role}" if _LEADS.search(role) else name, what, []] for n, name, what, role in rows if name], j


def _as_sections(bullets: list[list], heading: str) -> list[Line]:
    made: list[Line] = []
    funding: list[Line] = []
    for n, head, rest, rows in bullets:
        name, leads, head_kind, head_said = _body_of(head)
        if not name:
            continue
        made.append(Line(n, ("Pilotes : " if leads else "Partenaires : ") + name))
        for at, row in (rows or [(n, rest)]):
            said = f"{head_said} {row}" if not rows else row
            if not MONEY.search(said) and not any(rx.search(said) for _, rx in SAYS_KIND):   # (money, or means of a kind said)
                continue
            kind = next((words for words, rx in SAYS_KIND if rx.search(row)), head_kind)
            funding.append(Line(at, f"• {name}{f' ({kind})' if kind else ''} : {_schemes(said)}"))
    if funding:
        made.append(Line(funding[0].n, f"{heading} :" if re.match(r"(?i)financ", heading) else "Financements :"))
        made += funding
    return made + [Line(made[-1].n, END)] if made else []


def _body_of(head: str) -> tuple[str, bool, str | None, str]:
    """"Ville d'Orléans (chef de file)" -> ("Ville d'Orléans", True, None, ""); "État – crédits
    politique de la ville (BOP 147)" -> ("État", False, "crédits politique de la ville", "crédits
    politique de la ville (BOP 147)"); "Orléans Métropole, pilote" -> ("Orléans Métropole", True, …)."""
    leads = False
    said = ""
    m = re.match(r"^(.+?)\s+[–—-]\s+(.+)$", head)   # "État – crédits politique de la ville (BOP 147)", "ANCT – programme …"
    if m and not re.match(r"^[A-ZÀ-Ý][\w’'-]*$", m.group(2)):
        head, said = m.group(1), m.group(2)
    m = re.match(r"^(.+?),\s*((?:co-?)?(?:pilote|chef(?:fe)? de file|copilote)\b.*)$", head, re.I)
    if m:
        head, leads = m.group(1), True
    for q in re.findall(r"\(([^()]*)\)", head):
        if _LEADS.search(q):
            leads = True
            head = head.replace(f"({q})", "").strip()
    kind = next((words for words, rx in SAYS_KIND if rx.search(said)), None) if said else None
    return bare(head.strip(" ,")), leads, kind, said


def _schemes(text: str) -> str:
    """What a row says the body brings, as a funding line's instruments ("financement des CLAS et
    des actions REAAP au titre du droit commun" -> "CLAS, actions REAAP")."""
    text = re.sub(r"\s*,?\s*(?:au titre (?:du|de son|de leurs?) droit commun|sur (?:ses|son|leurs?) crédits de droit commun)", "", text, flags=re.I)
    text = re.sub(r"\s*\((?:droit commun)\)", "", text, flags=re.I)
    text = re.sub(r"^(?:co)?financements?\s+(?:de la |de l['’]|des |du |de )?", "", text.strip(" ."), flags=re.I)
    return re.sub(r"\s+et\s+(?:des|les|du|de la|de l['’])\s+", ", ", text).replace(" ; ", ", ")
