"""Writing tables for people and tools: CSV, TSV, Markdown, JSON and aligned text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence


def csv_text(header: Sequence[str], rows: Sequence[Sequence], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


def md_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    def cell(v) -> str:
        return ("" if v is None else str(v)).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
