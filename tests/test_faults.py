"""Nothing lost: `cvgraph build`, `publish` and `ingest` killed (SIGKILL) at points spread over a
whole run leave the previous outputs byte for byte, or the complete new ones, and never touch
their sources. (A push killed half-way: tests/test_push.py.)"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

KILLS = 10


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) and the hash of its bytes; a build's on-disk
    store (whose files are not the same bytes from one build to the next) by the hash of its
    sorted quads, or "unreadable" when it cannot be opened."""
    import pyoxigraph as ox

    out = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
           for p in sorted(folder.rglob("*")) if p.is_file() and "store" not in p.relative_to(folder).parts[:1]}
    if (folder / "store").is_dir():
        try:
            quads = sorted(str(q) for q in ox.Store.read_only(str(folder / "store")))
            out["store/"] = hashlib.sha256("\n".join(quads).encode()).hexdigest()
        except OSError:
            out["store/"] = "unreadable"
    return out


def kill_at_points(command: list[str], full: float, check) -> int:
    """Run `command` KILLS times, killing it after 0.5/KILLS … (KILLS-0.5)/KILLS of `full` seconds,
    calling `check(i)` after each kill; how many were killed while still running."""
    mid_way = 0
    for i in range(KILLS):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * (i + 0.5) / KILLS)
        if proc.poll() is None:
            mid_way += 1
        proc.kill()
        proc.wait()
        check(i)
    return mid_way


def timed(command: list[str]) -> float:
    t = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - t


def test_build_killed_at_any_point_leaves_the_old_build_or_the_new(tmp_path):
    from cvgraph.build import build
    from cvgraph.synth import generate

    data = generate(tmp_path / "data", 12, seed=5)   # a build of a few seconds, over worker processes
    sources = digest(data)
    out = tmp_path / "out" / "graph"
    cli = [sys.executable, "-m", "cvgraph.cli"]
    new_command = [*cli, "build", "--data", str(data), "--out", str(out)]
    full = timed(new_command)
    new = digest(out)
    build(ROOT / "data", out)
    old = digest(out)
    assert old != new

    def check(i):
        state = digest(out)
        assert state in (old, new), f"kill {i}: the build folder is neither the old build nor the new"
        if state == new:
            build(ROOT / "data", out)
    assert kill_at_points(new_command, full, check) >= KILLS // 2
    assert digest(data) == sources   # the sheets are only read
    subprocess.run(new_command, check=True, capture_output=True)
    assert digest(out) == new
    leftovers = [p.name for p in out.parent.iterdir() if p.name != "graph"]
    assert leftovers == [], f"the next build did not clear what the killed ones left: {leftovers}"


def test_publish_killed_at_any_point_leaves_the_old_site_or_the_new(tmp_path, built):
    from cvgraph.publish import publish

    site = tmp_path / "site"
    cli = [sys.executable, "-m", "cvgraph.cli"]
    new_command = [*cli, "publish", "--graph", str(built), "--out", str(site), "--force",
                   "--base-uri", "https://example.org/new/"]
    full = timed(new_command)
    new = digest(site)
    publish(site, built, "https://example.org/old/", force=True)
    old = digest(site)

    def check(i):
        state = digest(site)
        assert state in (old, new), f"kill {i}: the site is neither the old one nor the new"
        if state == new:
            publish(site, built, "https://example.org/old/", force=True)
    assert kill_at_points(new_command, full, check) >= KILLS // 2


def test_ingest_killed_at_any_point_leaves_the_old_draft_or_the_new(tmp_path):
    seed = ROOT / "tests" / "fixtures" / "texts" / "quartier-a.txt"
    source = seed.read_bytes()
    out = tmp_path / "quartier-a.yaml"
    command = [sys.executable, "-m", "cvgraph.cli", "ingest", str(seed), "--contract", "quartier-a",
               "--out", str(out), "--force"]
    full = timed(command)
    new = out.read_bytes()
    old = b"# a draft being reviewed by hand\nid: coutras-2024-2030\n"
    out.write_bytes(old)

    def check(i):
        state = out.read_bytes()
        assert state in (old, new), f"kill {i}: the draft is neither the old file nor the new"
        out.write_bytes(old)
    assert kill_at_points(command, full, check) >= KILLS // 2
    assert seed.read_bytes() == source
