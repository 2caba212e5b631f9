"""Every report's formats, in one place: which formats each command writes (`REPORTS`, from which
the CLI builds its `--format` option), and one writer of tables for all of them (`render`), so
that a gap report, a query result or a validation opens the same way in a terminal, in Excel,
in a browser or in a program.

One vocabulary: `text` (grouped, for reading), `table` (aligned columns), `csv`, `tsv`, `json`,
`md`, `html`, `xlsx`; plus `ttl` for validate and the graph formats of network. CSV keeps the
machine column names the README pins; `--excel` makes it what French Excel opens in columns
(UTF-8 with BOM, `;` separator, decimal comma). xlsx and html use French headers; xlsx has set
widths, filters, a frozen header and the source links.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import click

from .names import sort_key
from .output import Link, csv_text, json_text, md_table, table_text


@dataclass(frozen=True)
class Formats:
    formats: tuple[str, ...]
    default: str
    help: str = ""


REPORTS = {
    "query": Formats(("table", "csv", "tsv", "json", "md", "html", "xlsx"), "table",
                     "For SELECT results; ASK prints true or false, CONSTRUCT and DESCRIBE print Turtle."),
    "gaps": Formats(("text", "csv", "tsv", "json", "md", "html", "xlsx"), "text"),
    "validate": Formats(("text", "csv", "tsv", "json", "md", "html", "xlsx", "ttl"), "text",
                        "ttl is the shapes' sh:ValidationReport itself (without the citation check)."),
    "matrix": Formats(("csv", "tsv", "md", "html", "xlsx"), "md"),
    "network": Formats(("text", "graphml", "gexf", "json", "png", "svg"), "text",
                       "text is the ranking by centrality and the communities; the others are files."),
    "summary": Formats(("text", "md", "json"), "text"),
}
BINARY = ("xlsx", "png")   # written to a file (--out), never to a terminal


def format_option(report: str):
    """The `--format` option of a report, from its entry in `REPORTS`."""
    spec = REPORTS[report]
    return click.option("--format", "fmt", type=click.Choice(spec.formats), default=spec.default,
                        show_default=True, help=spec.help or None)


excel_option = click.option("--excel", is_flag=True,
                            help="With --format csv: what French Excel opens in columns (UTF-8 with BOM, "
                                 "';' separator, decimal comma).")

# French headers of the columns the reports and named queries use; any other keeps its name
FRENCH = {
    "contract": "Contrat", "title": "Titre", "generation": "Génération", "period": "Période",
    "pilot": "Pilote", "pilot_label": "Pilote", "territory": "Territoire", "orientations": "Orientations",
    "signatories": "Signataires", "orientation": "Orientation", "orientation_title": "Titre de l’orientation",
    "axis": "Axe", "pilots": "Pilotes", "funding_lines": "Lignes de financement", "gaps": "Manques",
    "funder": "Financeur (IRI)", "funder_label": "Financeur", "instrument": "Instrument (IRI)",
    "instrument_label": "Instrument", "kind": "Nature", "kind_inferred": "Nature déduite", "line": "Ligne",
    "gap": "Catégorie", "subject": "Sujet", "detail": "Détail", "source": "Source", "severity": "Gravité",
    "shape": "Forme", "focus": "Ressource", "path": "Propriété", "value": "Valeur", "message": "Message",
    "message_en": "Message (en)", "partner": "Partenaire (IRI)", "partner_label": "Partenaire",
    "role": "Rôle", "unit": "Service (IRI)", "unit_label": "Service", "lines": "Lignes", "file": "Fichier",
    "section": "Section", "signatory": "Signataire (IRI)", "signatory_label": "Signataire",
    "category": "Catégorie", "count": "Nombre", "number": "Numéro",
}


@dataclass
class Table:
    """A table to write: machine column names (the CSV header), rows (a cell may be a `Link`), a
    title (the sheet's or page's) and, optionally, French headers (else from `FRENCH`)."""
    columns: Sequence[str]
    rows: list[list]
    title: str = ""
    headers: Sequence[str] | None = None
    widths: dict[str, int] = field(default_factory=dict)

    @property
    def french(self) -> list[str]:
        return list(self.headers) if self.headers else [FRENCH.get(c, c) for c in self.columns]


_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def render(table: Table, fmt: str, excel: bool = False) -> str | bytes:
    """The table in a format of the registry (bytes for xlsx)."""
    if fmt == "csv" and excel:
        rows = [[_DECIMAL.sub(lambda m: m.group(0).replace(".", ","), str(v)) if isinstance(v, str) and
                 _DECIMAL.match(v) else v for v in row] for row in table.rows]
        return "\ufeff" + csv_text(table.columns, rows, delimiter=";")
    if fmt == "csv":
        return csv_text(table.columns, table.rows)
    if fmt == "tsv":
        return csv_text(table.columns, [[str(v).replace("\t", " ").replace("\n", " ") for v in row]
                                        for row in table.rows], delimiter="\t")
    if fmt == "json":
        return json_text([dict(zip(table.columns, (str(v) for v in row))) for row in table.rows])
    if fmt == "md":
        return md_table(table.columns, table.rows)
    if fmt == "html":
        return html_page(table.title, html_table(table))
    if fmt == "xlsx":
        return xlsx([table])
    return table_text(table.columns, table.rows) + f"({len(table.rows)} ligne(s))\n"


def html_table(table: Table) -> str:
    def cell(v) -> str:
        text = html.escape("" if v is None else str(v))
        if isinstance(v, Link) and v.url:
            return f'<a href="{html.escape(v.url)}">{text}</a>'
        return text
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.french)
    body = "\n".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in table.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#eef;position:sticky;top:0}tr:nth-child(even) td{background:#fafafa}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}.info{color:#555}"""


def html_page(title: str, body: str) -> str:
    """A standalone French HTML page."""
    return (f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def xlsx(tables: list[Table]) -> bytes:
    """A workbook of one sheet per table: French bold header, frozen, with filters; each column as
    wide as its content (within bounds); `Link` cells as hyperlinks."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(sheet_name(table.title or "table", used))
        ws.append(table.french)
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDE3F0")
            c.alignment = Alignment(vertical="top", wrap_text=True)
        for row in table.rows:
            ws.append([_cell_value(v) for v in row])
            for i, v in enumerate(row, start=1):
                cell = ws.cell(row=ws.max_row, column=i)
                if cell.data_type == "f":   # text that starts with "=" stays text, never a formula
                    cell.data_type = "s"
                if isinstance(v, Link) and v.url and v.url.startswith(("http://", "https://")):
                    cell.hyperlink = v.url
                    cell.font = Font(color="0563C1", underline="single")
        for i, name in enumerate(table.columns, start=1):
            longest = max([len(table.french[i - 1])] + [len(str(r[i - 1])) for r in table.rows[:2000]])
            ws.column_dimensions[get_column_letter(i)].width = table.widths.get(name, min(max(longest + 2, 8), 60))
        ws.freeze_panes = "A2"
        if table.columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(ws.max_row, 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_value(v):
    """A number stays a number in Excel; everything else is text."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    text = "" if v is None else str(v)
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel sheet name (31 characters at most, none of []:*?/\\), unique in the workbook."""
    base = "".join("-" if c in "[]:*?/\\" else c for c in name)[:31] or "table"
    out, i = base, 2
    while out.lower() in used:
        suffix = f"~{i}"
        out, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(out.lower())
    return out


def sorted_labels(values, key=lambda v: v):
    """Sorted as people expect: accents and case ignored ("État" among the E's, "BM" after "Banque")."""
    return sorted(values, key=lambda v: (sort_key(key(v)), key(v)))
