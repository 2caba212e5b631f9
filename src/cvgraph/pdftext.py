"""Reading a contract PDF into plain text, with pdfplumber (MIT, maintained, built on pdfminer.six).

Pages are separated by a form feed (`\\f`), so that every line keeps its page: `page_of(lines, n)`.
A page set in two columns is read column by column; a table is written one row per line, its
cells joined by " | ", where it stands on the page. What cannot be read is said: a scanned PDF
(no text layer), an encrypted or corrupt one, one over the page or time bound is refused with
one line; a page with no text is flagged and the rest is read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .progress import progress

MAX_PAGES = 500
TIME_LIMIT = 300.0   # seconds for the whole document
GUTTER = 12.0        # points of blank band between two columns


@dataclass
class PdfText:
    text: str                      # pages joined by "\f"
    pages: int
    flags: list[str] = field(default_factory=list)


def is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def read_pdf(path: Path, *, max_pages: int = MAX_PAGES, time_limit: float = TIME_LIMIT) -> PdfText:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError:   # pragma: no cover - a dependency of the package
        raise UsageError("reading PDF needs pdfplumber (pip install pdfplumber)") from None
    started = time.monotonic()
    try:
        pdf = pdfplumber.open(str(path))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UsageError(f"{path}: the PDF is encrypted; give a decrypted copy") from None
    except PDFSyntaxError as err:
        raise UsageError(f"{path}: not a readable PDF ({' '.join(str(err).split())[:120]})") from None
    except Exception as err:  # pdfminer raises many types on a broken file, pdfplumber wraps them
        cause = err.args[0] if err.args and isinstance(err.args[0], Exception) else err
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise UsageError(f"{path}: the PDF is encrypted; give a decrypted copy") from None
        raise UsageError(f"{path}: not a readable PDF ({cause.__class__.__name__})") from None
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as err:
            raise UsageError(f"{path}: not a readable PDF ({err.__class__.__name__})") from None
        if count > max_pages:
            raise UsageError(f"{path}: {count} pages, over the bound of {max_pages} (--max-pages raises it)")
        pages, flags, chars = [], [], 0
        for number, page in progress(enumerate(pdf.pages, start=1), count, "ingest: PDF pages"):
            if time.monotonic() - started > time_limit:
                raise UsageError(f"{path}: reading took over {time_limit:g} s (at page {number} of {count})")
            try:
                lines = page_lines(page)
            except Exception as err:
                flags.append(f"p. {number}: page illisible ({err.__class__.__name__})")
                lines = []
            finally:
                page.flush_cache()
            if not any(line.strip() for line in lines):
                flags.append(f"p. {number}: aucun texte (image ou page vide)")
            chars += sum(len(line) for line in lines)
            pages.append("\n".join(lines))
        if chars == 0:
            raise UsageError(f"{path}: no text layer (a scanned PDF?): run OCR on it first, e.g. ocrmypdf")
        return PdfText("\n\f".join(pages) + "\n", count, flags)


def page_lines(page) -> list[str]:
    """The text lines of a page in reading order: by column, tables one row per line."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)
    body = page.filter(outside) if boxes else page
    blocks: list[tuple[float, float, str]] = []   # (column, top, text)
    columns = split_columns(body)
    for col, crop in enumerate(columns):
        for line in crop.extract_text_lines(layout=False, strip=True):
            blocks.append((col, line["top"], line["text"]))
    for t in tables:
        col = 0
        if len(columns) == 2:
            col = 0 if t.bbox[2] <= columns[0].bbox[2] + 1 else 1
        for i, row in enumerate(t.extract()):
            cells = [" ".join((c or "").split()) for c in row]
            if any(cells):
                blocks.append((col, t.bbox[1] + i * 0.01, " | ".join(cells)))
    blocks.sort(key=lambda b: (b[0], b[1]))
    return [text for _, _, text in blocks]


def split_columns(page) -> list:
    """The page as one crop, or two when a blank vertical band runs down its middle third with words
    on both sides of it on most lines."""
    words = page.extract_words()
    if len(words) < 20:
        return [page]
    width = float(page.width)
    lo, hi = int(width * 0.3), int(width * 0.7)
    covered = [False] * (int(width) + 2)
    for w in words:
        for x in range(int(w["x0"]), int(w["x1"]) + 1):
            if 0 <= x < len(covered):
                covered[x] = True
    best, start = None, None
    for x in range(lo, hi + 1):
        if not covered[x]:
            start = x if start is None else start
            if x - start + 1 >= GUTTER and (best is None or x - start > best[1] - best[0]):
                best = (start, x)
        else:
            start = None
    if best is None:
        return [page]
    middle = (best[0] + best[1]) / 2
    left = sum(1 for w in words if w["x1"] <= middle)
    if left < len(words) * 0.2 or len(words) - left < len(words) * 0.2:
        return [page]
    x0, top, x1, bottom = page.bbox
    return [page.crop((x0, top, middle, bottom)), page.crop((middle, top, x1, bottom))]


def page_of(text: str, line: int) -> int:
    """The page (from 1) of a line (from 1) of a text whose pages are separated by form feeds."""
    return "\n".join(text.split("\n")[:line]).count("\f") + 1
