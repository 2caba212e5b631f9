"""Progress on stderr (issue 17, point 4): a bar when stderr is a terminal and the work lasts, nothing
otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from conftest import ROOT


def run_with_stderr_on_a_terminal(args: list[str], delay: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    env = {**os.environ, "CVGRAPH_PROGRESS_DELAY": delay}
    proc = subprocess.Popen([sys.executable, "-m", "cvgraph.cli", *args], stdout=subprocess.DEVNULL, stderr=slave,
                            env=env, cwd=ROOT)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    assert proc.returncode == 0
    return out.decode("utf-8", "replace")


def test_a_build_shows_its_progress_on_a_terminal(tmp_path):
    shown = run_with_stderr_on_a_terminal(["build", "--out", str(tmp_path / "g")], "0")
    assert "build: contract sheets" in shown and "/4 [" in shown   # n of the 4 sheets


def test_short_work_shows_no_bar_and_a_pipe_never_does(tmp_path):
    assert "build:" not in run_with_stderr_on_a_terminal(["build", "--out", str(tmp_path / "a")], "600")
    done = subprocess.run([sys.executable, "-m", "cvgraph.cli", "build", "--out", str(tmp_path / "b")],
                          capture_output=True, text=True, env={**os.environ, "CVGRAPH_PROGRESS_DELAY": "0"}, cwd=ROOT)
    assert done.returncode == 0 and done.stderr == ""
