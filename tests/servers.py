"""Real servers and a real browser for the tests: free ports, the Oxigraph server from PyPI,
`cvgraph serve`, and headless Chromium renders."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], ready_url: str, what: str, log: Path, wait: float = 60):
    """Start `command`, wait until `ready_url` answers, stop it at the end."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{what} did not start: {log.read_text(errors='replace')[-1000:]}")
            time.sleep(0.2)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail("the `oxigraph` server is a test dependency: pip install -e '.[test]'")
    return found


@contextmanager
def oxigraph_server(location: Path, *extra: str):
    """The Oxigraph server on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra]
    with running(command, f"{base}/query?query=ASK%7B%7D", "oxigraph server", location.parent / "oxigraph.log"):
        yield base


@contextmanager
def cvgraph_server(built: Path, log: Path, *extra: str, port: int | None = None):
    """`cvgraph serve` on a free port of 127.0.0.1 (or `port`); yields its base URL (ending with /)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "cvgraph.cli", "serve", "--graph", str(built), "--port", str(port), *extra]
    with running(command, base, "cvgraph serve", log):
        yield base


def chromium_or_skip() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        if os.environ.get("CVGRAPH_REQUIRE_CHROMIUM") == "1":
            pytest.fail("chromium is required here (CVGRAPH_REQUIRE_CHROMIUM=1) but not installed")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    return browser


def render(url: str, shot: Path, width: int = 1300, height: int = 1000) -> str:
    """Load `url` in headless Chromium: returns the rendered DOM and writes a screenshot to `shot`
    (copied to $CVGRAPH_ARTIFACTS when set, to look at)."""
    browser = chromium_or_skip()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={shot.parent / ('profile-' + shot.stem)}", f"--window-size={width},{height}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    subprocess.run([browser, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000, f"{url}: blank or missing screenshot"
    keep = os.environ.get("CVGRAPH_ARTIFACTS")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(shot, os.path.join(keep, shot.name))
    return dom.stdout
