"""Progress of long work on stderr: a bar that appears when the work has lasted about two seconds
and stderr is a terminal (tqdm), and nothing otherwise (a pipe, a file, a test, a CI log)."""

from __future__ import annotations

import os
import sys

# seconds before a bar appears: short work shows none (CVGRAPH_PROGRESS_DELAY changes it, for tests)
DELAY = float(os.environ.get("CVGRAPH_PROGRESS_DELAY", "2"))
SHOWN = True   # False in a worker process, whose caller shows the bar


def progress(iterable, total: int | None = None, label: str = "", stream=None):
    """`iterable`, shown as a bar on `stream` (stderr) when it is a terminal and the work lasts."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not (SHOWN and isatty and isatty()):
        return iterable
    from tqdm import tqdm
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns = lines = 0
    # a terminal that reports no size (tqdm then hides its bar) gets 80 columns and 24 lines
    return tqdm(iterable, total=total, desc=label, file=stream, delay=DELAY, leave=False, unit="",
                ncols=columns or 80, nrows=lines or 24)
