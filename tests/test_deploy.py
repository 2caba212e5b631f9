"""The deployment snippets of a published site, run in the real servers from Debian's packages on
127.0.0.1 (issue 19, point 5): nginx and Apache answer a resource IRI in the format asked with
Vary: Accept, and a retired IRI with 301 to its successor; the w3id.org rules send the persistent
IRIs (resources, ontology, vocabularies, shapes) with 303 to the site, which answers."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import run_cli
from servers import apache_server, free_port, nginx_server, world_readable_folder

ORIENTATION = "contract/coutras-2024-2030/orientation/5"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, accept: str = "text/html", follow: bool = True):
    """(status, headers, body, final URL) of a GET, following redirects or not."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=20) as r:
            return r.status, r.headers, r.read(), r.url
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read(), url


def retired(site: Path) -> tuple[str, str]:
    old, new = (site / "deploy" / "retired.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    return old, new


def check_negotiation(base: str, site_base: str):
    """`base`: where the IRIs are asked; `site_base`: the site's base IRI, in the RDF it answers."""
    status, headers, body, _ = get(base + ORIENTATION, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle"), (status, body[:300])
    assert "Accept" in headers.get("Vary", "")
    g = Graph().parse(data=body.decode(), format="turtle")
    assert len(g) > 20 and any(str(s) == site_base + ORIENTATION for s in g.subjects())
    for accept, media in (("application/ld+json", "application/ld+json"), ("application/n-triples", "application/n-triples"),
                          ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "text/html")):
        status, headers, body, _ = get(base + ORIENTATION, accept)
        assert status == 200 and headers["Content-Type"].startswith(media), (accept, status, headers["Content-Type"])
    assert "Orientation 5" in get(base + ORIENTATION)[2].decode()


@pytest.fixture(scope="module")
def nginx_site(built, tmp_path_factory):
    port = free_port()
    base = f"http://127.0.0.1:{port}/cvgraph/"
    with world_readable_folder() as folder:
        site = folder / "site"
        assert run_cli("publish", "--graph", str(built), "--out", str(site), "--base-uri", base).exit_code == 0
        conf = (site / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        assert "listen 80;" in conf and "alias /srv/cvgraph/;" in conf
        conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("/srv/cvgraph", str(site))
        with nginx_server(tmp_path_factory.mktemp("nginx"), conf, port) as _:
            yield base, site


def test_nginx_negotiates_and_redirects_retired_iris(nginx_site):
    base, site = nginx_site
    check_negotiation(base, base)
    old, new = retired(site)
    status, headers, _, _ = get(base + old, follow=False)
    assert status == 301 and headers["Location"] == base + new
    status, headers, _, _ = get(base + old + ".ttl", follow=False)
    assert status == 301 and headers["Location"] == base + new + ".ttl"
    assert get(base + old, "text/turtle")[0] == 200              # the successor answers
    assert get(base + "void", "text/turtle")[1]["Content-Type"].startswith("text/turtle")
    assert get(base + "nowhere/at-all")[0] == 404


@pytest.fixture(scope="module")
def apache_sites(built, tmp_path_factory):
    """One Apache: /cvgraph/ is the w3id.org folder (w3id.htaccess), /site/ the published site
    (apache.htaccess), its IRIs under /cvgraph/id/ as they would be under https://w3id.org/cvgraph/id/."""
    port = free_port()
    root = f"http://127.0.0.1:{port}/"
    with world_readable_folder() as docroot:
        site = docroot / "site"
        assert run_cli("publish", "--graph", str(built), "--out", str(site), "--base-uri", root + "cvgraph/id/",
                       "--hosted-at", root + "site/").exit_code == 0
        shutil.copy(site / "deploy" / "apache.htaccess", site / ".htaccess")
        (docroot / "cvgraph").mkdir(mode=0o755)
        shutil.copy(site / "deploy" / "w3id.htaccess", docroot / "cvgraph" / ".htaccess")
        for f in (site / ".htaccess", docroot / "cvgraph" / ".htaccess"):
            f.chmod(0o644)
        with apache_server(tmp_path_factory.mktemp("apache"), docroot, port) as _:
            yield root, site


def test_apache_negotiates_and_redirects_retired_iris(apache_sites):
    root, site = apache_sites
    check_negotiation(root + "site/", root + "cvgraph/id/")
    old, new = retired(site)
    status, headers, _, _ = get(root + "site/" + old, follow=False)
    assert status == 301 and headers["Location"] == root + "cvgraph/id/" + new   # to the persistent IRI


def test_w3id_rules_send_each_persistent_iri_to_the_site(apache_sites):
    root, site = apache_sites
    status, headers, _, _ = get(root + "cvgraph/id/" + ORIENTATION, "text/turtle", follow=False)
    assert status == 303 and headers["Location"] == root + "site/" + ORIENTATION
    check_negotiation(root + "cvgraph/id/", root + "cvgraph/id/")     # followed: the site answers
    old, new = retired(site)
    status, _, _, final = get(root + "cvgraph/id/" + old, "text/turtle")
    assert status == 200 and final == root + "site/" + new           # 303, then 301, then 303, then the successor
    # the ontology, a vocabulary concept and the shapes: RDF or their documentation
    status, headers, body, final = get(root + "cvgraph/ontology", "text/turtle")
    assert status == 200 and final == root + "site/ontology/cvgraph.ttl"
    assert "owl:Ontology" in body.decode()
    assert get(root + "cvgraph/ontology")[3] == root + "site/ontology/index.html"
    status, _, body, final = get(root + "cvgraph/vocab/funding-kind/specifique", follow=False)[0:4]
    assert status == 303
    status, _, body, final = get(root + "cvgraph/vocab/funding-kind/specifique")
    assert status == 200 and 'id="vocab-funding-kind-specifique"' in body.decode()
    status, _, body, final = get(root + "cvgraph/shapes", "text/turtle")
    assert status == 200 and "sh:NodeShape" in body.decode()
    assert 'id="OrientationShape"' in get(root + "cvgraph/shapes")[2].decode()
