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


_BOX = str.maketrans({**{c: "-" for c in "─━═╌┄"}, **{c: "|" for c in "│┃║╎┆"},
                      **{c: "+" for c in "┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬┏┓┗┛┣┫┳┻╋╒╕╘╛╞╡╤╧╪╓╖╙╜╟╢╥╨╫"}})


def box_drawing(lines: list[Line]) -> list[Line]:
    """A table drawn with the box-drawing characters ("┌───┬───┐", "│ a │ b │", "├───┼───┤") as the
    grid table of the same shape ("+---+---+", "| a | b |"), a character for a character, for
    `grid_rows`; other lines as they are."""
    return [Line(l.n, l.text.translate(_BOX)) if re.search(r"[│┃║┌├└╔╠╚┏┣┗╒╞╘╓╟╙]", l.text) else l for l in lines]


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
    longest line (give or take two), never under a table's header cells nor closing a box whose
    rule is above it."""
    out: list[Line] = []
    for line in lines:
        m = re.fullmatch(r"\s{0,3}([=-])\1{2,}\s*", line.text)
        para, ruled = [], False
        for prev in reversed(out):
            if not prev.text.strip() or len(para) == 3:
                break
            if re.fullmatch(r"\s*([=_*-])\1{2,}\s*", prev.text):   # a rule above: a box ("----" / "FICHE 2" / "----"), not an underline
                ruled = True
                break
            para.insert(0, prev)
        if m and para and not ruled and abs(len(line.text.strip()) - max(len(p.text.strip()) for p in para)) <= 2 \
                and not re.search(r"\S\s{3,}\S", para[-1].text):
            del out[len(out) - len(para):]
            text = para[0].text.strip()
            for p in para[1:]:
                text = join_cut_words(text, p.text)
            out.append(Line(para[0].n, text))
            continue
        out.append(line)
    return out


# a table's header whose cells are one space apart ("Financeur 2024 2025 2026 Total")
_SPACED_HEADER = re.compile(r"^(?P<label>(?:Financeurs?|Partenaires?(?: financeurs?)?|Organismes?(?: financeurs?)?"
                            r"|Structures?)(?: \([^()]*\))?)(?P<cells>(?: (?:20\d\d(?:[-–/]20\d\d)?|Total|Montant))+)$", re.I)
_SUM_TOKEN = re.compile(r"\s+(\d{1,3}|[—–-]|\([^()\d]*\))$")   # "… 18", "… —", "… (à confirmer)", from the right


def spaced_rows(lines: list[Line]) -> list[Line]:
    """A table whose cells are one space apart, as PDF-to-text tools give it without its layout:
    "Financeur 2024 2025 2026 Total" then "Ville de Nevers 18 000 18 000 18 000 54 000". The header
    says how many sums a row has; a row's sums are its last tokens split into that many amounts
    (a "—" is one; "(à confirmer)" goes with the amount before it). When a total column leaves
    one split only, or only one split exists, the row's cells are set four spaces apart, as the
    reader reads a table; any other line is left as it is."""
    out, count = [], 0
    for line in lines:
        text = line.text.strip()
        m = _SPACED_HEADER.match(text) if "   " not in text else None
        if m:
            cells = m.group("cells").split()
            count, total = len(cells), key_of(cells[-1]) == "total"
            out.append(Line(line.n, "    ".join([m.group("label"), *cells])))
            continue
        if count and not text:
            count = 0
        row = spaced_sums(text, count, total) if count and "   " not in text else None
        out.append(Line(line.n, "    ".join(row)) if row else line)
    return out


def spaced_sums(text: str, count: int, total: bool) -> list[str] | None:
    """The first cell and `count` sums of a row "Ville de Nevers 18 000 18 000 (à confirmer) 36 000";
    None when the row does not end with sums, or the split is not the only one."""
    tokens, rest = [], text
    while (m := _SUM_TOKEN.search(rest)):
        tokens.insert(0, m.group(1))
        rest = rest[:m.start()]
    if not re.search(r"[^\W\d_]", rest):
        return None
    splits = _splits(tokens, count)
    if total and len(splits) > 1:
        splits = [s for s in splits if _adds_up(s[1])]
    if len(splits) != 1:
        return None
    head, sums = splits[0]
    return [" ".join([rest, *head]).strip(), *sums]


def _splits(tokens: list[str], count: int) -> list[tuple[list[str], list[str]]]:
    """Each way of reading the last tokens as `count` sums: (the tokens left to the first cell, the sums)."""
    found = []

    def walk(end: int, sums: list[str]):
        if len(sums) == count:
            found.append((tokens[:end], sums))
            return
        j = end
        while j > 0 and tokens[j - 1].startswith("("):
            j -= 1                                   # "(à confirmer)" goes with its amount
        note = tokens[j:end]
        if j and re.fullmatch(r"[—–-]", tokens[j - 1]):
            walk(j - 1, [" ".join([tokens[j - 1], *note]), *sums])
            return
        k = j
        while k > 0 and re.fullmatch(r"\d{3}", tokens[k - 1]):
            k -= 1
            if not tokens[k].startswith("0"):       # "120" may open a sum ("120 000"), "000" may not
                walk(k, [" ".join([*tokens[k:j], *note]), *sums])
        if k > 0 and re.fullmatch(r"\d{1,2}", tokens[k - 1]):
            walk(k - 1, [" ".join([*tokens[k - 1:j], *note]), *sums])

    walk(len(tokens), [])
    return found


def _adds_up(sums: list[str]) -> bool:
    values = [int(re.sub(r"\D", "", re.sub(r"\(.*?\)", "", s)) or 0) for s in sums]
    return sum(values[:-1]) == values[-1]


_TAB_LEAD = re.compile(r"^(\s*)(?:(?P<bullet>[•o▪◦·\-–*])|(?P<number>\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|[ivxIVX]{1,4}\.))\t")


def tab_cells(lines: list[Line]) -> list[Line]:
    """Text pasted from a word processor: a bullet or a list number and a tab ("•\tCAF",
    "1.2\tTitle") as "• CAF", "1.2 Title"; a table's rows, their cells a tab apart ("Pilote\tVille
    de Blois", "État\tBOP 147\t\t25 000 €"), set as columns of spaces, each column as wide as its
    widest cell, so that the reader finds its cells and their columns (an empty cell keeps its
    place). A cell of several paragraphs goes on on the next line as a word processor writes it:
    its next paragraph first, with no tab before it, then the row's other cells after tabs; its
    paragraphs are set apart by "," (one name or scheme each), a name wrapped is joined. Lines
    without tabs outside tables are left as they are."""
    from .sections import PART, fiche_heading, section_of
    plain = []
    for line in lines:
        m = _TAB_LEAD.match(line.text)
        if m:
            mark = "•" if m.group("bullet") else m.group("number")
            line = Line(line.n, f"{m.group(1)}{mark} {line.text[m.end():]}")
        plain.append(line)

    def heading(line: Line) -> bool:
        key = key_of(line.text)
        return bool(section_of(key) or PART.match(key) or fiche_heading(key)) \
            or line.text.strip().isupper() and len(line.text.split()) >= 2   # (not "REAAP")

    def goes_on(j: int) -> bool:   # a line with no tab inside a table: the paragraph of a cell
        text = plain[j].text.strip()
        if not text or heading(plain[j]):
            return False
        nxt = next((l for l in plain[j + 1:j + 4] if l.text.strip()), None)
        return bool(nxt and "\t" in nxt.text) or len(text) <= 60 and not text.endswith(".")

    out: list[Line] = []
    i = 0
    while i < len(plain):
        if "\t" not in plain[i].text:
            out.append(plain[i])
            i += 1
            continue
        rows: list[tuple[int, list[str]]] = []
        width, j = 0, i
        while j < len(plain):
            text = plain[j].text
            if "\t" in text:
                cells = [BULLET_MARK.sub("", c.strip()) for c in re.sub(r"(?<=[•▪◦·])\t", " ", text).split("\t")]
                width = width or len(cells)
                # the row above goes on (its last cell's next paragraph first) unless that would make
                # more cells than the table has: then that row had empty cells at its end
                if rows and rows[-1][1] and len(rows[-1][1]) + len(cells) - 1 <= width:
                    rows[-1][1][-1] = cell_paragraphs(rows[-1][1][-1], cells[0])
                    rows[-1][1].extend(cells[1:])
                else:
                    rows.append((plain[j].n, cells))
            elif not text.strip():   # a row of empty cells (a blank line): the table goes on if its next row fits
                nxt = next((l for l in plain[j + 1:j + 3] if l.text.strip()), None)
                if not (rows and nxt and "\t" in nxt.text and len(nxt.text.split("\t")) <= width):
                    break
                rows.append((plain[j].n, []))
            elif rows and goes_on(j):
                last = rows[-1][1]
                if last and len(last) == width and AMOUNT_CELL.match(last[-1]):
                    rows.append((plain[j].n, [text.strip()]))   # the first paragraph of the next row's first cell
                elif last:
                    last[-1] = cell_paragraphs(last[-1], text.strip())
                else:
                    break
            else:
                break
            j += 1
        widths = [max(len(r[k]) for _, r in rows if k < len(r)) for k in range(max(len(r) for _, r in rows))]
        for n, cells in rows:
            out.append(Line(n, "".join(c.ljust(widths[k] + 4) for k, c in enumerate(cells)).rstrip()))
        i = j
    return out


# a cell that ends a row as a sum does ("380 000 €", "à définir", "—", empty): no paragraph follows it
AMOUNT_CELL = re.compile(r"^(?:|[\d\s\u00a0\u202f.,]+\s*(?:€|k€|M€|euros)?.*|à définir|à préciser|non chiffré|valorisation|[—–-])$", re.I)


def cell_paragraphs(cell: str, more: str) -> str:
    """A cell and its next paragraph: a name wrapped ("… départementaux" / "de l'Éducation
    nationale") joined, else a list ("DDETS de l'Oise" / "France Travail": "DDETS de l'Oise,
    France Travail")."""
    if not cell:
        return more
    if not more:
        return cell
    if re.match(r"^(?:[a-zà-ÿ(]|(?:de|du|des|d['’]|et|l['’])\s)", more) or CONNECTOR_END.search(cell):
        return join_cut_words(cell, more)   # ("Bailleurs sociaux" / "(OPAC de l'Oise, Clésence)": the bodies it means)
    return f"{cell}, {BULLET_MARK.sub('', more)}"


CONNECTOR_END = re.compile(r"\s(?:de|du|des|d['’]|la|le|les|l['’]|et|à|au|aux)$")
BULLET_MARK = re.compile(r"^[•o▪◦·*-]\s+")


DOT_LEADER = re.compile(r"^(?P<label>\s*\S(?:.*?\S)?)\s*(?:\.{2,}|…+|(?<=\s)\.(?=\s*:))[.…\s]*:\s?")


def dot_leaders(lines: list[Line]) -> list[Line]:
    """A form's fields, their labels led to the colon by dots ("Co-pilote(s) ........ : DSDEN du
    Gard"), as "Co-pilote(s) : DSDEN du Gard". A value wrapped onto the next lines (under the value)
    in the middle of an item of its list ("… ; Département du" / "Gard (PMI) ; Cité …") has the
    end of that item moved up to the line where the item starts, so that each line holds whole
    items. Applied to a text with three such fields or more."""
    if sum(1 for l in lines if DOT_LEADER.match(l.text)) < 3:
        return lines
    out: list[Line] = []
    column = None   # where the values of the field above start
    for line in lines:
        m = DOT_LEADER.match(line.text)
        if m:
            column = m.end()
            out.append(Line(line.n, f"{m.group('label')} : {line.text[m.end():].strip()}"))
            continue
        lead = len(line.text) - len(line.text.lstrip())
        if not line.text.strip() or column is not None and lead < column - 4:
            column = None   # a blank line, or a line out of the values' column, ends the field
        if column is None or not out:
            out.append(line)
            continue
        above = out[-1].text.rstrip()
        if re.search(r"[;,.:€%)]$", above) or re.match(r"^\s*[-–•*]\s", line.text):   # (a list's item of its own)
            out.append(line)
            continue
        head, sep, rest = line.text.strip().partition(";")
        indent = above[:len(above) - len(above.lstrip())]
        out[-1] = Line(out[-1].n, indent + join_cut_words(above, head) + (" ;" if sep else ""))
        out.append(Line(line.n, " " * lead + rest.strip()) if rest.strip() else Line(line.n, ""))
    return out
