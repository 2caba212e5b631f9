"""Writing tables for people and tools (CSV, TSV, Markdown, JSON, aligned text) and files that are
written whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import UsageError


def csv_text(header: Sequence[str], rows: Sequence[Sequence], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


class Link(str):
    """A table cell that links somewhere: its text, and `url` (Markdown and HTML write the link;
    the other formats write the text)."""

    def __new__(cls, text: str, url: str | None):
        out = super().__new__(cls, text)
        out.url = url
        return out


def md_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    def cell(v) -> str:
        text = ("" if v is None else str(v)).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
        if isinstance(v, Link) and v.url:
            text = text.replace("[", "\\[").replace("]", "\\]")
            return f"[{text}]({v.url.replace(')', '%29').replace(' ', '%20')})"
        return text
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def new_folder_beside(target: Path) -> Path:
    """An empty folder beside `target`, to be filled and then put in its place by `swap_folder`.
    Its name carries this process's id, so that what a killed process left is recognised and
    removed (`clean_leftovers`) by the next one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    os.chmod(tmp, 0o755)
    return tmp


def clean_leftovers(target: Path) -> None:
    """Remove the folders that a build or publish of `target` left when it was killed (their
    process is gone); a folder of a process still running is left alone."""
    target = Path(target)
    pattern = re.compile(re.escape(f".{target.name}.") + r"(?:tmp|old)-(\d+)(?:-|$)")
    if not target.parent.is_dir():
        return
    for entry in target.parent.iterdir():
        m = pattern.match(entry.name)
        if m and entry.is_dir() and not _alive(int(m.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass   # it exists, owned by another user
    return True


def swap_folder(tmp: Path, target: Path) -> None:
    """Put the finished folder `tmp` in the place of `target` in one step, then remove the old one.

    The files are flushed to disk first. On Linux the two folders are exchanged by one
    renameat2(RENAME_EXCHANGE) call, so that `target` is at every instant either the old folder
    or the new one; elsewhere, by two renames (a process killed between them leaves the old
    folder as `.NAME.old-PID`)."""
    tmp, target = Path(tmp), Path(target)
    for f in tmp.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    if not target.exists():
        os.rename(tmp, target)
        return
    if _exchange(tmp, target):
        shutil.rmtree(tmp, ignore_errors=True)   # tmp now holds the old folder
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where it is not available."""
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write `path` through a temporary file beside it, so that it is either whole or untouched."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def table_text(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """An aligned plain-text table, for the terminal."""
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"
