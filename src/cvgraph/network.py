"""The partner co-engagement network, with networkx.

Nodes are partners (top-level organisations); two partners are linked when they hold a role
(pilot, associated service or funder) in the same orientation, and the edge weight is the number
of orientations they share. Each node carries its centralities and its community, so that Gephi,
Cytoscape or yEd can colour and size it without recomputing anything.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from itertools import combinations

import networkx as nx
import pyoxigraph as ox

from .errors import UsageError
from .names import sort_key
from .query import run_select
from .store import catalogue

FORMATS = ("text", "graphml", "gexf", "json", "png", "svg")


def co_engagement(store: ox.Store, contract: str | None = None) -> nx.Graph:
    """The weighted co-engagement graph, with centralities and communities as node attributes."""
    if contract:
        catalogue(store).check(contract)
    values = {"contract": contract} if contract else {}
    variables, rows = run_select(store, "partner-roles", **values)
    col = {v: i for i, v in enumerate(variables)}
    engaged: dict[tuple[str, str], set[str]] = defaultdict(set)   # (contract, orientation) -> partners
    roles: dict[str, set[str]] = defaultdict(set)
    orientations: dict[str, set[tuple[str, str]]] = defaultdict(set)
    g = nx.Graph()
    for r in rows:
        partner, where = r[col["partner"]], (r[col["contract"]], r[col["orientation"]])
        g.add_node(partner, label=r[col["partner_label"]])
        engaged[where].add(partner)
        roles[partner].add(r[col["role"]])
        orientations[partner].add(where)
    for partners in engaged.values():
        for a, b in combinations(sorted(partners), 2):
            weight = g.edges[a, b]["weight"] + 1 if g.has_edge(a, b) else 1
            g.add_edge(a, b, weight=weight)
    for u, v, data in g.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    degree = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
    between = nx.betweenness_centrality(g, weight="distance") if len(g) else {}
    try:
        eigen = nx.eigenvector_centrality(g, weight="weight", max_iter=2000, tol=1e-9) if g.number_of_edges() \
            else {n: 0.0 for n in g}
    except nx.PowerIterationFailedConvergence:  # e.g. a bipartite component: no eigenvector centrality
        eigen = {n: 0.0 for n in g}
    communities = nx.community.greedy_modularity_communities(g, weight="weight") if g.number_of_edges() else [
        {n} for n in g]
    ordered = sorted(communities, key=lambda c: (-len(c), min(sort_key(g.nodes[n]["label"]) for n in c)))
    for i, members in enumerate(ordered, 1):
        for n in members:
            g.nodes[n]["community"] = i
    for n, data in g.nodes(data=True):
        data["orientations"] = len(orientations[n])
        data["roles"] = ";".join(sorted(roles[n]))
        data["strength"] = sum(d["weight"] for _, _, d in g.edges(n, data=True))
        data["degree_centrality"] = round(degree.get(n, 0.0), 6)
        data["betweenness"] = round(between.get(n, 0.0), 6)
        data["eigenvector"] = round(abs(eigen.get(n, 0.0)), 6)
    return g


def ranking(g: nx.Graph) -> list[dict]:
    """Partners ranked by weighted degree (strength), then betweenness, then label."""
    nodes = [{"partner": n, **d} for n, d in g.nodes(data=True)]
    nodes.sort(key=lambda d: (-d["strength"], -d["betweenness"], sort_key(d["label"]), d["partner"]))
    for i, d in enumerate(nodes, 1):
        d["rank"] = i
    return nodes


def text_report(g: nx.Graph) -> str:
    lines = [f"Réseau de co-engagement : {g.number_of_nodes()} partenaires, {g.number_of_edges()} liens "
             "(deux partenaires sont liés quand ils ont un rôle dans la même orientation ; poids = "
             "nombre d’orientations partagées).", "",
             f"{'rang':>4}  {'partenaire':48} {'orient.':>7} {'force':>6} {'degré':>6} {'interm.':>7} "
             f"{'vect. pr.':>9} {'comm.':>5}"]
    for d in ranking(g):
        lines.append(f"{d['rank']:>4}  {d['label'][:48]:48} {d['orientations']:>7} {d['strength']:>6} "
                     f"{d['degree_centrality']:>6.3f} {d['betweenness']:>7.3f} {d['eigenvector']:>9.3f} "
                     f"{d['community']:>5}")
    lines.append("")
    by_community: dict[int, list[str]] = defaultdict(list)
    for _, d in g.nodes(data=True):
        by_community[d["community"]].append(d["label"])
    for i in sorted(by_community):
        members = sorted(by_community[i], key=sort_key)
        lines.append(f"Communauté {i} ({len(members)}) : " + " ; ".join(members))
    return "\n".join(lines) + "\n"


def export(g: nx.Graph, fmt: str) -> bytes:
    """The graph as a file: GraphML, GEXF, node-link JSON, or a drawing in PNG or SVG."""
    if fmt == "json":
        data = nx.node_link_data(g, edges="links")
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    if fmt in ("graphml", "gexf"):
        buf = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, buf)
        return buf.getvalue()
    if fmt in ("png", "svg"):
        return draw(g, fmt)
    raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")


def draw(g: nx.Graph, fmt: str) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(14, 11), dpi=100)
    ax.set_axis_off()
    if len(g):
        pos = nx.spring_layout(g, weight="weight", seed=7, k=1.6 / max(len(g), 1) ** 0.5)
        cmap = plt.get_cmap("tab10")
        colours = [cmap((g.nodes[n]["community"] - 1) % 10) for n in g]
        sizes = [120 + 60 * g.nodes[n]["strength"] ** 0.8 for n in g]
        widths = [0.3 + 0.6 * d["weight"] for _, _, d in g.edges(data=True)]
        nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.25, edge_color="#555555")
        nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, node_size=sizes, linewidths=0.5,
                               edgecolors="#222222")
        top = {d["partner"] for d in ranking(g)[:25]}
        nx.draw_networkx_labels(g, pos, ax=ax, font_size=7,
                                labels={n: short(g.nodes[n]["label"]) for n in g if n in top})
    ax.set_title("Co-engagement des partenaires (couleur : communauté ; taille : force ; "
                 "étiquettes : 25 premiers)", fontsize=11)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buf.getvalue()


def short(label: str, width: int = 28) -> str:
    head = label.split(" (")[0]
    return head if len(head) <= width else head[:width - 1] + "…"
