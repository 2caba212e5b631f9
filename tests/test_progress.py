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


def test_validate_gaps_and_ingest_show_their_progress_on_a_terminal(tmp_path):
    """Each contract validated and gap-checked in its own worker, and each page of a PDF read, is a
    step of a bar."""
    import shutil

    folder = tmp_path / "g"
    run_with_stderr_on_a_terminal(["build", "--out", str(folder)], "600")
    shown = run_with_stderr_on_a_terminal(["validate", "--graph", str(folder), "--engine", "shacl-rust"], "0")
    assert "validate: contracts" in shown and "/5 [" in shown   # the 4 contracts and the registries
    assert "validate: findings" not in shown   # one bar: the workers show none of their own
    dump = tmp_path / "graph.nt"
    run_with_stderr_on_a_terminal(["export", "--graph", str(folder), "--format", "nt", "--out", str(dump)], "600")
    shown = run_with_stderr_on_a_terminal(["validate", str(dump), "--engine", "shacl-rust"], "0")
    assert "validate: findings" in shown   # shacl-rust's results read on the whole graph
    shown = run_with_stderr_on_a_terminal(["gaps", "--graph", str(folder), "--format", "csv"], "0")
    assert "gaps: contracts" in shown and "/4 [" in shown
    pdf = tmp_path / "contrat.pdf"
    shutil.copy(ROOT / "tests" / "fixtures" / "ingest" / "pilier-2015.pdf", pdf)
    shown = run_with_stderr_on_a_terminal(["ingest", str(pdf), "--contract", "essai-2015", "--out",
                                           str(tmp_path / "essai.yaml")], "0")
    assert "ingest: PDF pages" in shown
