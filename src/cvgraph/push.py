"""`cvgraph push`: load the built graph into a server that speaks the SPARQL 1.1 Graph Store
Protocol, one named graph per contract, each replaced whole (HTTP PUT), plus one named graph for
what the contracts share (organisations, instruments, documents, territories, ontology, vocabularies).

A triple belongs to the graph of contract X when its subject is the contract or one of its parts
(an IRI under `<base>contract/X`); every other triple goes to the shared graph. Graph names are
`<prefix>contract/X` and `<prefix>shared`, the prefix being `--graph` (default `<base>graph/`).
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
from .publish import check_base_uri, graph_base
from .graph import load_store


def partition(store: ox.Store) -> tuple[str, dict[str, list[ox.Triple]]]:
    base = graph_base(store)
    contract_ns = base + "contract/"
    parts: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in store:
        s = quad.subject
        key = "shared"
        if isinstance(s, ox.NamedNode) and s.value.startswith(contract_ns):
            key = "contract/" + s.value[len(contract_ns):].split("/")[0]
        parts[key].append(quad.triple)
    return base, dict(parts)


def push(endpoint: str, graph_path=None, graph_prefix: str | None = None, timeout: float = 60.0) -> list[tuple[str, int]]:
    """PUT each part of the graph to the Graph Store endpoint; returns (graph IRI, triples) pairs."""
    if not re.match(r"https?://[^\s/]+", endpoint):
        raise UsageError(f"--endpoint {endpoint!r}: expected the http(s) URL of a Graph Store endpoint")
    store = load_store(graph_path)
    base, parts = partition(store)
    prefix = check_base_uri(graph_prefix) if graph_prefix else base + "graph/"
    done = []
    for key in sorted(parts):
        iri = prefix + key
        body = ox.serialize(parts[key], format=ox.RdfFormat.N_TRIPLES)
        url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"graph": iri})
        request = urllib.request.Request(url, data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            detail = " ".join(err.read().decode("utf-8", "replace").split())[:200]
            raise UsageError(f"endpoint {endpoint}: HTTP {err.code} on graph <{iri}>: {detail}") from None
        except (socket.timeout, TimeoutError):
            raise UsageError(f"endpoint {endpoint} did not answer within {timeout:g} s (graph <{iri}>)") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise UsageError(f"endpoint {endpoint} cannot be reached: {reason}") from None
        done.append((iri, len(parts[key])))
    return done
