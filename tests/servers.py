"""Real servers and a real browser for the tests: free ports, the Oxigraph server from PyPI,
`cvgraph serve`, and headless Chromium renders."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], ready_url: str, what: str, log: Path, wait: float = 60, env: dict | None = None):
    """Start `command`, wait until `ready_url` answers, stop it at the end."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + wait
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=2).read()
            break
        except urllib.error.HTTPError:
            break          # it answers, if only to refuse
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


def _user_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@contextmanager
def world_readable_folder():
    """A folder the workers of nginx and Apache (www-data, nobody) can read: pytest's own are private."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="cvgraph-deploy-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def debian_server_or_skip(name: str, package: str) -> str:
    """The path of a server from Debian's packages (nginx, apache2); .ci/run installs them, so
    there their absence is a failure (CVGRAPH_REQUIRE_SERVERS=1)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        if os.environ.get("CVGRAPH_REQUIRE_SERVERS") == "1":
            pytest.fail(f"{name} is required here (CVGRAPH_REQUIRE_SERVERS=1) but not installed")
        pytest.skip(f"Debian's {package} is not installed (apt-get install {package}); .ci/run installs it")
    return found


@contextmanager
def nginx_server(folder: Path, conf: str, port: int):
    """nginx in the foreground on 127.0.0.1:`port`, with `conf` at its http level; yields its base URL."""
    binary = debian_server_or_skip("nginx", "nginx")
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text(f"""daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/logs/access.log;
    client_body_temp_path {folder}/tmp-body; proxy_temp_path {folder}/tmp-proxy; fastcgi_temp_path {folder}/tmp-fcgi;
    uwsgi_temp_path {folder}/tmp-uwsgi; scgi_temp_path {folder}/tmp-scgi;
    map_hash_bucket_size 1024; map_hash_max_size 131072;
    include /etc/nginx/mime.types;
{conf}
}}
""")
    with running([binary, "-c", str(main), "-p", str(folder)], f"http://127.0.0.1:{port}/", "nginx",
                 folder / "logs" / "stdout.log", wait=20):
        yield f"http://127.0.0.1:{port}/"


@contextmanager
def apache_server(folder: Path, docroot: Path, port: int):
    """Apache (apache2 -X, one process in the foreground) on 127.0.0.1:`port`, serving `docroot`
    with its .htaccess files read; yields its base URL."""
    binary = debian_server_or_skip("apache2", "apache2")
    modules = "/usr/lib/apache2/modules"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    conf = folder / "httpd.conf"
    conf.write_text(f"""ServerRoot {folder}
PidFile {folder}/httpd.pid
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
ErrorLog {folder}/logs/error.log
LogLevel warn
{"".join(f"LoadModule {m}_module {modules}/mod_{m}.so{chr(10)}" for m in (
        "mpm_event", "authz_core", "dir", "mime", "rewrite", "headers", "alias"))}
User {"www-data" if _user_exists("www-data") else "nobody"}
Group {"www-data" if _user_exists("www-data") else "nogroup"}
TypesConfig /etc/mime.types
DocumentRoot {docroot}
<Directory {docroot}>
    AllowOverride All
    Require all granted
    Options FollowSymLinks
</Directory>
""")
    env = {**os.environ, "APACHE_RUN_DIR": str(folder), "APACHE_LOCK_DIR": str(folder), "APACHE_LOG_DIR": str(folder)}
    base = f"http://127.0.0.1:{port}/"
    with running([binary, "-X", "-f", str(conf)], base, f"apache (see {folder}/logs/error.log)",
                 folder / "logs" / "stdout.log", wait=20, env=env):
        yield base
