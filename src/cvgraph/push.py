"""`cvgraph push`: load the built graph into a server that speaks the SPARQL 1.1 Graph Store
Protocol, one named graph per contract, each replaced whole, plus one named graph for what the
contracts share (organisations, instruments, documents, territories, ontology, vocabularies).

A triple belongs to the graph of contract X when its subject is the contract or one of its parts
(an IRI under `<base>contract/X`); every other triple goes to the shared graph. Graph names are
`<prefix>contract/X` and `<prefix>shared`, the prefix being `--graph` (default `<base>graph/`).

Nothing is replaced until everything is on the server: each part is first PUT to a staging graph
(`<prefix>staging/…`), then one SPARQL Update request moves every staging graph onto its target.
The server runs that request as one transaction (Oxigraph does), so readers see either the old
graphs or the new ones; a push that fails or is killed half-way leaves the old graphs as they
were (and staging graphs that the next push replaces).
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

import pyoxigraph as ox

from .errors import UsageError
from .graph import graph_base
from .publish import check_base_uri
from .graph import load_store
from .store import SHARED, part_of


def partition(store: ox.Store) -> tuple[str, dict[str, list[ox.Triple]]]:
    base = graph_base(store)
    contract_ns = base + "contract/"
    parts: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in store:
        s = quad.subject
        key = part_of(s.value, contract_ns) if isinstance(s, ox.NamedNode) else SHARED
        parts[key].append(quad.triple)
    return base, dict(parts)


def update_endpoint_for(endpoint: str) -> str | None:
    """The SPARQL Update endpoint beside a Graph Store endpoint, for the servers whose layout is
    known: Oxigraph (`/store` -> `/update`) and Fuseki (`/DATASET/data` -> `/DATASET/update`)."""
    m = re.match(r"^(https?://[^?#]*/)(store|data)/?(?:\?.*)?$", endpoint)
    return m.group(1) + "update" if m else None


def push(endpoint: str, graph_path=None, graph_prefix: str | None = None, timeout: float = 60.0,
         update: str | None = None) -> list[tuple[str, int]]:
    """Stage each part of the graph on the Graph Store endpoint, then switch them all in one
    update; returns (graph IRI, triples) pairs."""
    for name, url, what in (("--endpoint", endpoint, "a Graph Store"), ("--update", update, "a SPARQL Update")):
        if url is not None and not re.match(r"https?://[^\s/]+", url):
            raise UsageError(f"{name} {url!r}: expected the http(s) URL of {what} endpoint")
    update = update or update_endpoint_for(endpoint)
    if update is None:
        raise UsageError(f"--endpoint {endpoint}: give --update URL too (the SPARQL Update endpoint, which "
                         "switches the graphs in one transaction)")
    store = load_store(graph_path)
    base, parts = partition(store)
    prefix = check_base_uri(graph_prefix) if graph_prefix else base + "graph/"
    staged, done = [], []
    try:
        for key in sorted(parts):
            stage = prefix + "staging/" + key
            _put(endpoint, stage, ox.serialize(parts[key], format=ox.RdfFormat.N_TRIPLES), timeout)
            staged.append(stage)
            done.append((prefix + key, len(parts[key])))
        _update(update, " ;\n".join(f"MOVE SILENT GRAPH <{stage}> TO GRAPH <{iri}>"
                                    for stage, (iri, _) in zip(staged, done)), timeout)
    except BaseException:
        if staged:   # best effort: the old graphs are untouched either way
            try:
                _update(update, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staged), min(timeout, 10))
            except UsageError:
                pass
        raise
    return done


def _request(request: urllib.request.Request, endpoint: str, what: str, timeout: float) -> None:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read().decode("utf-8", "replace").split())[:200]
        raise UsageError(f"endpoint {endpoint}: HTTP {err.code} on {what}: {detail}") from None
    except (socket.timeout, TimeoutError):
        raise UsageError(f"endpoint {endpoint} did not answer within {timeout:g} s ({what})") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise UsageError(f"endpoint {endpoint} cannot be reached: {reason}") from None


def _put(endpoint: str, graph: str, body: bytes, timeout: float) -> None:
    """Graph Store Protocol PUT: `graph` replaced by `body` (N-Triples)."""
    url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"graph": graph})
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"})
    _request(request, endpoint, f"graph <{graph}>", timeout)


def _update(endpoint: str, text: str, timeout: float) -> None:
    """One SPARQL Update request."""
    request = urllib.request.Request(endpoint, data=text.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    _request(request, endpoint, "the update switching the graphs", timeout)
