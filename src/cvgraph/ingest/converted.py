"""What document converters make of a contract's markup and tables, put back as lines the reader
reads: Markdown (PDF-to-Markdown tools), grid tables (pandoc and others), and tables whose cells
come one per line (simple DOCX-to-text tools). Each returns the lines it does not change as they
are, and a table's row as one line of cells ("| Financeur | Dispositif | Nature |") on the row's
first line, for `reading.pipe_rows`."""

from __future__ import annotations

import re

from .reading import Line, join_cut_words, key_of


MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# a name cut inside a table's cell at a word that needs the rest ("Région<br>Hauts-de-France")
CUT_BODY = re.compile(r"(?:^|\s)(?:Région|Département|Ville|Commune|Communauté|Conseil|Caisse|Agence|Chambre|Mission"
                      r"|Direction|Préfecture|Centre)$")


def markdown_plain(lines: list[Line]) -> list[Line]:
    """Markdown, as PDF-to-Markdown converters write a contract: headings without their "#"
    marks, bold and italic marks dropped, an escaped character as itself, and the lines of a
    table's cell ("CLAS<br>Promeneurs du Net") a list, or one name where the first line is cut
    ("Communauté d'agglomération<br>du Saint-Quentinois", "Région<br>Hauts-de-France"). Applied only
    to a text that has Markdown headings or bold labels on three lines or more."""
    marked = sum(1 for l in lines if MD_HEADING.match(l.text) or "**" in l.text)
    if marked < 3:
        return lines
    out = []
    for line in lines:
        text = MD_HEADING.sub("", line.text)
        text = re.sub(r"\*\*|__", "", text)
        text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)   # "*cité éducative*"
        text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
        while "<br" in text:
            text = re.sub(r"\s*<br\s*/?>\s*", cell_lines, text, count=1, flags=re.I)
        out.append(Line(line.n, text))
    return out


def cell_lines(m: re.Match) -> str:
    """What joins the two lines of a cell a "<br>" separates: a space where the first is cut, else a
    comma."""
    from .sections import CONNECTOR
    before = m.string[:m.start()].rsplit("|", 1)[-1].strip()
    after = m.string[m.end():].split("|", 1)[0].strip()
    return " " if CUT_BODY.search(before) or re.match(r"^[a-zà-ÿ(]", after) or CONNECTOR.search(before) else ", "


ITEM = re.compile(r"^[A-ZÀ-Ý][^:]{0,60}\s:\s*\S")   # "Ville de Blois : 120 000": one item of a list a line
GRID_RULE = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")   # "+-------+-----+", "+=======+=====+"


def grid_rows(lines: list[Line]) -> list[Line]:
    """A grid table, as pandoc and other converters write a document's tables ("+----+----+" rules
    between rows, each cell's text wrapped over the row's lines "| part | part |"): one line per row,
    its cells whole ("| DSDEN de Loir-et-Cher | dédoublement des classes | Droit commun |"), on the
    row's first line, for `pipe_rows` to read. Within a cell, a line that ends where the next word
    would still have fitted (a no-break space binds words) was ended on purpose, as is a line of
    "Name : sum" above another (one name a line: "DSDEN de Loir-et-Cher" / "Ville de Blois"): those
    lines are kept apart by a comma; other lines are wrapped text, joined."""
    out: list[Line] = []
    bounds: list[int] | None = None   # where the column rules of the table being read stand
    row: list[Line] = []

    def flush():
        if not row:
            return
        cells = []
        for a, b in zip(bounds, bounds[1:]):
            width = b - a - 3
            text, before = "", ""   # the cell so far, its last line
            for line in row:
                part = line.text[a + 1:b].strip()
                if not part:
                    continue
                if not text:
                    text = part
                elif re.search(r"[A-Za-zà-ÿ]-$", text) and part[:1].isupper():   # "Bourgogne-Franche-" / "Comté"
                    text += part
                elif (len(before) + 1 + len(part.split(" ")[0]) <= width or ITEM.match(before) and ITEM.match(part)) \
                        and part[:1].isupper() \
                        and not re.search(r"(?:[,;:(-]|\s(?:de|du|des|d['’]|la|le|les|l['’]|et|à|au|aux|en|pour))$", text):
                    text += ", " + part   # a line ended on purpose (the next word would have fitted): the next name
                else:
                    text = join_cut_words(text, part)
                before = part
            cells.append(text.replace("|", "/"))
        out.append(Line(row[0].n, "| " + " | ".join(cells) + " |"))
        row.clear()

    for line in lines:
        if GRID_RULE.match(line.text):
            flush()
            bounds = [i for i, ch in enumerate(line.text) if ch == "+"]
            continue
        if bounds and len(line.text) >= bounds[-1] + 1 and all(line.text[i] == "|" for i in bounds):
            row.append(line)   # a line of the row (a cell may hold a "|" of its own only off the rules)
            continue
        flush()
        bounds = None
        out.append(line)
    flush()
    return out


# the heading cells of a funding table, by the role of their column
HEAD_CELL = [("funder", re.compile(r"^(?:financeurs?|partenaires?(?: financeurs?)?|organismes?(?: financeurs?)?|structures?)$")),
             ("instrument", re.compile(r"^(?:dispositifs?|instruments?|objets?|programmes?|actions?(?: financees?)?)$")),
             ("kind", re.compile(r"^(?:natures?(?: des? (?:credits?|financements?))?|types?(?: de (?:credits?|financements?))?)$")),
             ("amount", re.compile(r"^(?:montants?\b.*|couts?|budgets?|20\d\d)$"))]


def cell_rows(lines: list[Line]) -> list[Line]:
    """A funding table whose cells come one a line, as simple DOCX-to-text tools write a Word
    table: its heading cells ("Financeur" / "Dispositif" / "Nature" / "Montant") on lines of their
    own, then each row's cells in that order, a cell of several paragraphs over several lines, an
    empty cell an empty line. The rows are found by what their cells hold: a Nature cell states a
    kind ("Droit commun", "Crédits spécifiques"), a Montant cell a sum ("62 000 €", "valorisation");
    the funder's cell goes on where its line is cut ("Caisse d'allocations familiales" / "de
    l'Eure"). Each row becomes one line of cells; other lines are kept."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        roles = heading_cells(lines, i)
        if not roles:
            out.append(lines[i])
            i += 1
            continue
        out.append(Line(lines[i].n, "| " + " | ".join(l.text.strip() for l in lines[i:i + len(roles)]) + " |"))
        i += len(roles)
        while True:
            row, j = cells_of_row(lines, i, roles)
            if row is None:
                break
            out.append(Line(lines[i].n, "| " + " | ".join(c.replace("|", "/") for c in row) + " |"))
            i = j
    return out


def heading_cells(lines: list[Line], i: int) -> list[str]:
    """The roles of a table's heading cells that start at line i, one a line: a funder's column
    first, then two columns or more, one of them the kind or the sum; [] if none start there."""
    roles = []
    for line in lines[i:i + 8]:
        role = next((r for r, rx in HEAD_CELL if rx.match(line.key)), None)
        if role is None or (role == "funder") != (not roles) or role in roles and role != "amount":
            break
        roles.append(role)
    return roles if len(roles) >= 3 and ({"kind", "amount"} & set(roles)) else []


def is_kind_cell(text: str) -> bool:
    from .sections import KIND_CELL
    k = key_of(text)
    return any(rx.match(k) for _, rx in KIND_CELL) or bool(re.match(r"^(?:a preciser|non precisee?|mixte)$", k))


def is_amount_cell(text: str) -> bool:
    from .sections import AMOUNT
    return bool(AMOUNT.search(text)) or bool(re.match(r"^(?:valorisation|non chiffre|a preciser|[—–-]|\d[\d  .,]*)$", key_of(text)))


def cells_of_row(lines: list[Line], i: int, roles: list[str]) -> tuple[list[str] | None, int]:
    """The cells of the row that starts at line i, and the line after it; (None, i) where the table
    has ended (an empty line or a heading where a funder's cell would be)."""
    from .sections import CONNECTOR, fiche_heading, section_of

    def ends(line: Line) -> bool:
        return bool(section_of(line.key) or fiche_heading(line.key)) or len(line.text.strip()) > 120

    fits = {"kind": is_kind_cell, "amount": is_amount_cell}
    j, cells = i, []
    for c, role in enumerate(roles):
        text = lines[j].text.strip() if j < len(lines) else ""
        if role == "funder":
            if not text or ends(lines[j]) or is_kind_cell(text) or is_amount_cell(text):
                return None, i
            j += 1
            while j < len(lines) and lines[j].text.strip() and (
                    re.match(r"^(?:de|du|des|d['’])\s", lines[j].text.strip()) or CONNECTOR.search(text)):
                text = join_cut_words(text, lines[j].text)   # "Caisse d'allocations familiales" / "de l'Eure"
                j += 1
            cells.append(text)
        elif role in fits:
            if not text or fits[role](text):
                cells.append(text)
                j += 1
            else:
                cells.append("")   # the cell left out: the line is the next one's
        else:   # free text over one line or more, up to the cell the next column's words fill
            after = fits.get(roles[c + 1]) if c + 1 < len(roles) else None
            parts = []
            while j < len(lines):
                t = lines[j].text.strip()
                if not t:
                    if not parts:
                        j += 1   # the empty cell
                    break
                if (after and after(t)) or ends(lines[j]):
                    break
                parts.append(t)
                j += 1
            cells.append(", ".join(parts))
    return cells, j


LINK = re.compile(r"\[(?:\d{1,3}|[A-Za-z]{2,8})\]")   # "[18]DSDEN des Vosges", "[4][Logo]"


def web_page(lines: list[Line]) -> list[Line]:
    """A web page saved as text by a text-mode browser (`lynx -dump`, `w3m -dump`): the link
    numbers before the words ("[18]DSDEN des Vosges") dropped, and the list of the links' addresses
    ("References" / "1. https://…") set aside. Applied only to a text with such numbers on five
    lines or more."""
    if sum(1 for l in lines if re.search(r"\[\d{1,3}\]\S", l.text)) < 5:
        return lines
    out = []
    for line in lines:
        # the site's navigation: lines of links ("[1]Aller au contenu   [2]Menu", "[5]Accueil > [6]Vivre
        # > …", "Page 1 sur 2    [23]Page suivante", "[24]Mentions légales | [25]Plan du site"), "© 2024 …"
        parts = [p for p in re.split(r"\s{2,}|\s[|>»]\s", line.text.strip()) if p]
        linked = sum(1 for p in parts if re.match(r"^[«»]?\s*\[\d{1,3}\]", p))
        if re.match(r"^\s*(?:\d{1,3}\.\s+)?(?:https?|file|mailto):\S+\s*$", line.text) or re.match(r"^\s*r[ée]f[ée]rences\s*$", line.text, re.I) \
                or (linked and linked >= len(parts) - 1 and len(parts) >= 2) or re.match(r"^\s*©", line.text) \
                or (linked == len(parts) == 1 and len(line.text.split()) <= 4):
            out.append(Line(line.n, ""))
            continue
        out.append(Line(line.n, re.sub(r"\s{2,}", lambda m: m.group() if m.start() == 0 else "   ", LINK.sub("", line.text))
                        if LINK.search(line.text) else line.text))
    return out


def underlined_headings(lines: list[Line]) -> list[Line]:
    """A heading underlined on the next line ("Orientation n°1 – Réussir à l'école, de la petite" /
    "enfance" / "======" or "------", as Markdown and text browsers write one): the heading on one
    line, its lines joined, the underline gone. An underline must be as long as the heading's
    longest line (give or take two), never under a table's header cells."""
    out: list[Line] = []
    for line in lines:
        m = re.fullmatch(r"\s{0,3}([=-])\1{2,}\s*", line.text)
        para = []
        for prev in reversed(out):
            if not prev.text.strip() or len(para) == 3:
                break
            para.insert(0, prev)
        if m and para and abs(len(line.text.strip()) - max(len(p.text.strip()) for p in para)) <= 2 \
                and not re.search(r"\S\s{3,}\S", para[-1].text):
            del out[len(out) - len(para):]
            text = para[0].text.strip()
            for p in para[1:]:
                text = join_cut_words(text, p.text)
            out.append(Line(para[0].n, text))
            continue
        out.append(line)
    return out
