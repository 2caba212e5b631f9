"""The query library (`queries/**/*.rq`) and running a query on the embedded store or an endpoint.

A query file starts with comment lines that describe it::

    # title: Funder profile
    # description: What one funder funds, where, and through which instruments.
    # param: funder — identifier of the organisation, e.g. etat
    # param: contract (optional) — identifier of a contract; all contracts when omitted
    # param: orientation (integer) — number of the orientation
    # param: contract (contract) — identifier of a contract; an unknown one is an error
    # param: funder (organisation) — identifier of an organisation; an unknown one is an error

A parameter is a variable of the query's top-level pattern. Its value is bound by the engine,
never pasted into the text: pyoxigraph's substitutions (SEP-0007) on the embedded store, and a
`VALUES` block of serialised RDF terms at the head of the `WHERE` clause for a remote endpoint.
A value is an RDF literal (a string, or an integer for `(integer)` parameters) or, for `(iri)`
parameters, an IRI; a value such as `x" } ; DROP ALL ; #` stays a literal that matches nothing.
A `(contract)` parameter is a string that must be the identifier of a contract of the graph.
An optional parameter left out stays a free variable, so the query then covers every value.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ._paths import resource_dir
from .names import sort_key
from .errors import UsageError, did_you_mean
from .store import CONTRACT_IDS, Catalogue, catalogue

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PARAM_KINDS = ("string", "integer", "iri", "contract", "organisation")
_PARAM = re.compile(r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<opts>[^)]*)\))?"
                    r"\s*(?:[—:-]+\s*)?(?P<desc>.*)$")
_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


@dataclass
class Param:
    name: str
    kind: str = "string"
    optional: bool = False
    description: str = ""


@dataclass
class NamedQuery:
    name: str
    purpose: str
    title: str
    description: str
    text: str
    params: list[Param] = field(default_factory=list)
    source: str = ""
    severity: str = "Warning"   # a gap query's: Violation, Warning or Info (`# severity:`)

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (the first of these keywords outside comments)."""
        match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _strip_comments(self.text), re.I)
        return match.group(1).upper() if match else "SELECT"


@dataclass
class Result:
    """What a query returned: a table (SELECT), a boolean (ASK) or N-Triples (CONSTRUCT, DESCRIBE)."""
    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    boolean: bool | None = None
    ntriples: str = ""


def parse_query_file(path: Path, purpose: str = "") -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read the query: {err.__class__.__name__}") from None
    meta: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _PARAM.match(line)
        if match:
            opts = [o.strip() for o in (match.group("opts") or "").split(",") if o.strip()]
            kinds = [o for o in opts if o in PARAM_KINDS]
            unknown = [o for o in opts if o not in PARAM_KINDS and o != "optional"]
            if unknown or len(kinds) > 1:
                raise UsageError(f"{path}:{number}: field 'param': unknown option(s) "
                                 f"{', '.join(unknown or kinds)} (use optional, {', '.join(PARAM_KINDS)})")
            params.append(Param(match.group("name"), kinds[0] if kinds else "string",
                                "optional" in opts, match.group("desc").strip()))
        elif line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            meta.setdefault(key.strip(), value.strip())
            if key.strip() == "severity" and value.strip() not in SEVERITIES:
                raise UsageError(f"{path}:{number}: field 'severity': {value.strip()!r} is not one of "
                                 f"{', '.join(SEVERITIES)}")
    return NamedQuery(path.stem, purpose, meta.get("title", path.stem), meta.get("description", ""),
                      text, params, str(path), meta.get("severity", "Warning"))


SEVERITIES = ("Violation", "Warning", "Info")


def named_queries() -> dict[str, NamedQuery]:
    """The query library, by name (the file name without `.rq`); purpose is the folder."""
    return {path.stem: parse_query_file(path, path.parent.name)
            for path in sorted(resource_dir("queries").rglob("*.rq"))}


def resolve(name_or_file: str) -> NamedQuery:
    """A named query, or the query in a `.rq` file."""
    queries = named_queries()
    if name_or_file in queries:
        return queries[name_or_file]
    path = Path(name_or_file)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise UsageError(f"{path}: no such query file")
        return parse_query_file(path)
    raise UsageError(f"unknown query {name_or_file!r}{did_you_mean(name_or_file, queries)} "
                     "(see `cvgraph query --list`)")


def parse_params(pairs) -> dict[str, str]:
    """`name=value` strings from the command line into a dict."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r}: expected name=value")
        out[name.strip()] = value
    return out


def bind(query: NamedQuery, values: dict[str, str]) -> dict[str, ox.Literal | ox.NamedNode]:
    """The RDF terms the parameters' values stand for; an unknown or missing parameter is an error."""
    declared = {p.name: p for p in query.params}
    for name in values:
        if name not in declared:
            expected = ", ".join(declared) or "none"
            raise UsageError(f"query {query.name!r} has no parameter {name!r}{did_you_mean(name, declared)} "
                             f"(parameters: {expected})")
    terms = {}
    for p in query.params:
        if p.name not in values:
            if not p.optional:
                raise UsageError(f"query {query.name!r} needs --param {p.name}=… ({p.description})")
            continue
        value = values[p.name]
        if p.kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise UsageError(f"--param {p.name}={value!r}: expected an integer")
            terms[p.name] = ox.Literal(str(int(value)), datatype=XSD_INTEGER)
        elif p.kind == "iri":
            try:
                terms[p.name] = ox.NamedNode(value)
            except ValueError:
                raise UsageError(f"--param {p.name}={value!r}: not an IRI") from None
        else:
            terms[p.name] = ox.Literal(value)  # string, contract and organisation
    return terms


def syntax_error(query: NamedQuery, err: SyntaxError) -> UsageError:
    """pyoxigraph's "error at L:C: …" as `file:L:C: SPARQL syntax error: …`."""
    text = " ".join(str(err).split())
    match = _SYNTAX.match(text)
    where = query.source or query.name
    if match:
        return UsageError(f"{where}:{match.group(1)}:{match.group(2)}: SPARQL syntax error: {match.group(3)}")
    return UsageError(f"{where}: SPARQL syntax error: {text}")


def check_syntax(query: NamedQuery) -> None:
    """Parse the query (on an empty store) so that a syntax error is reported before it is sent."""
    try:
        result = ox.Store().query(query.text)
        if not isinstance(result, bool):
            list(result)
    except SyntaxError as err:
        raise syntax_error(query, err) from None


CONTRACTS = NamedQuery("contracts", "", "contracts", "", CONTRACT_IDS)   # the ids, for an endpoint


def check_contracts(query: NamedQuery, terms: dict, known) -> None:
    """`(contract)` parameters must name a contract of the graph: a typo is an error, not an empty
    table. `known` gives the graph's `Catalogue`; it is called only when there is something to check."""
    asked = {p.name: terms[p.name].value for p in query.params if p.kind == "contract" and p.name in terms}
    if not asked:
        return
    ids = known()
    for name, value in asked.items():
        ids.check(value, f"--param {name}: ")


ORGANISATION_IDS = ("SELECT ?id WHERE { ?o a <https://w3id.org/cvgraph/ontology#Organisation> ; "
                    "<http://purl.org/dc/terms/identifier> ?id }")


def check_organisations(query: NamedQuery, terms: dict, store) -> None:
    """`(organisation)` parameters must name an organisation of the graph: a typo is an error with
    the nearest identifier, not an empty table."""
    for p in query.params:
        if p.kind != "organisation" or p.name not in terms:
            continue
        value = terms[p.name].value
        if not store.query("ASK { ?o a <https://w3id.org/cvgraph/ontology#Organisation> ; "
                           "<http://purl.org/dc/terms/identifier> ?id }", substitutions={ox.Variable("id"): terms[p.name]}):
            ids = sorted({s["id"].value for s in store.query(ORGANISATION_IDS)})
            raise UsageError(f"--param {p.name}: unknown organisation {value!r}{did_you_mean(value, ids)}")


def run_embedded(store: ox.Store, query: NamedQuery, values: dict[str, str] | None = None) -> Result:
    """Run on a pyoxigraph store; parameters are bound as substitutions."""
    terms = bind(query, values or {})
    check_contracts(query, terms, lambda: catalogue(store))
    check_organisations(query, terms, store)
    contracts = [terms[p.name].value for p in query.params if p.kind == "contract" and p.name in terms]
    if contracts and hasattr(store, "scope"):   # a built store: only those contracts' graphs and the shared one
        store = store.scope(contracts)
    try:
        result = store.query(query.text, substitutions={ox.Variable(k): v for k, v in terms.items()})
    except SyntaxError as err:
        raise syntax_error(query, err) from None
    except RuntimeError as err:  # e.g. a parameter that the SELECT clause does not project
        raise UsageError(f"{query.source or query.name}: {' '.join(str(err).split())}") from None
    if isinstance(result, (bool, ox.QueryBoolean)):
        return Result("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        return Result("SELECT", variables, in_reading_order(query.text, variables,
                                                            [["" if t is None else t.value for t in s] for s in result]))
    triples = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result)
    return Result(query.form, ntriples=triples)


def run_rdflib(graph, query: NamedQuery, values: dict[str, str] | None = None) -> Result:
    """Run on an rdflib Graph (the slow reference backend of the benchmark); parameters are bound
    as initBindings. Rows are the same strings as `run_embedded` gives."""
    from .store import to_rdflib

    terms = bind(query, values or {})
    result = graph.query(query.text, initBindings={k: to_rdflib(v) for k, v in terms.items()})
    if result.type == "ASK":
        return Result("ASK", boolean=bool(result.askAnswer))
    if result.type != "SELECT":
        return Result(query.form, ntriples=result.serialize(format="nt").decode("utf-8"))
    variables = [str(v) for v in result.vars]
    return Result("SELECT", variables, in_reading_order(query.text, variables,
                                                        [[_as_pyoxigraph_writes(t) for t in row] for row in result]))


def _as_pyoxigraph_writes(term) -> str:
    """A term as `run_embedded` shows it: pyoxigraph gives decimals in their XSD 1.1 canonical
    form ("287" for "287.0"), rdflib as written; the rest is the same text."""
    if term is None:
        return ""
    datatype = getattr(term, "datatype", None)
    if datatype is not None and str(datatype) == "http://www.w3.org/2001/XMLSchema#decimal":
        from decimal import Decimal, InvalidOperation
        try:
            return format(Decimal(str(term)).normalize(), "f")
        except InvalidOperation:
            return str(term)
    return str(term)


def run_select(store: ox.Store, name: str, **values: str) -> tuple[list[str], list[list[str]]]:
    """Run a named SELECT query; the variable names and rows of plain strings."""
    queries = named_queries()
    if name not in queries:
        raise UsageError(f"unknown query {name!r}")
    result = run_embedded(store, queries[name], values)
    return result.variables, result.rows


def with_values(query: NamedQuery, terms: dict) -> str:
    """The query text with a VALUES block of the bound terms at the head of its WHERE clause."""
    if not terms:
        return query.text
    match = re.search(r"\bWHERE\s*\{", _strip_comments(query.text), re.I)
    if not match:
        raise UsageError(f"{query.source or query.name}: parameters need a WHERE clause to bind to")
    names = " ".join(f"?{k}" for k in terms)
    row = " ".join(str(v) for v in terms.values())
    block = f"\n  VALUES ({names}) {{ ({row}) }}\n"
    return query.text[:match.end()] + block + query.text[match.end():]


def run_endpoint(url: str, query: NamedQuery, values: dict[str, str] | None = None,
                 timeout: float = 30.0) -> Result:
    """Run on a SPARQL 1.1 endpoint through SPARQLWrapper; parameters are bound by VALUES."""
    from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    terms = bind(query, values or {})
    check_syntax(query)
    if not re.match(r"https?://", url):
        raise UsageError(f"--endpoint {url!r}: expected an http:// or https:// URL")
    check_contracts(query, terms, lambda: Catalogue(tuple(sorted(
        {row[0] for row in run_endpoint(url, CONTRACTS, timeout=timeout).rows}))))
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setTimeout(timeout)
    client.setQuery(with_values(query, terms))
    form = query.form
    client.queryType = form  # SPARQLWrapper guesses it from the text and can take "added" for ADD
    client.setReturnFormat(JSON if form in ("SELECT", "ASK") else N3)
    try:
        response = client.query().response
        body = response.read()
    except SPARQLWrapperException as err:
        text = " ".join(str(err).split())
        said = re.search(r"Response: b?['\"](.*)['\"]$", text)
        first = text.split(":")[0] if text else err.__class__.__name__
        raise UsageError(f"endpoint {url}: {first}" + (f": {said.group(1)[:200]}" if said else "")) from None
    except (socket.timeout, TimeoutError):
        raise UsageError(f"endpoint {url} did not answer within {timeout:g} s") from None
    except urllib.error.HTTPError as err:
        raise UsageError(f"endpoint {url}: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise UsageError(f"endpoint {url} did not answer within {timeout:g} s") from None
        raise UsageError(f"endpoint {url} cannot be reached: {reason}") from None
    except (ConnectionError, OSError) as err:
        raise UsageError(f"endpoint {url} cannot be reached: {err.__class__.__name__}") from None
    if form in ("SELECT", "ASK"):
        try:
            data = json.loads(body)
        except ValueError:
            raise UsageError(f"endpoint {url}: the answer is not SPARQL JSON results") from None
        if form == "ASK":
            return Result("ASK", boolean=bool(data.get("boolean")))
        variables = data["head"]["vars"]
        rows = [[b.get(v, {}).get("value", "") for v in variables] for b in data["results"]["bindings"]]
        return Result("SELECT", variables, in_reading_order(query.text, variables, rows))
    content_type = response.headers.get("Content-Type", "text/turtle").split(";")[0].strip()
    fmt = ox.RdfFormat.from_media_type(content_type) or ox.RdfFormat.TURTLE
    try:
        triples = list(ox.parse(body, format=fmt))
    except SyntaxError as err:
        raise UsageError(f"endpoint {url}: unreadable {content_type} answer: {err}") from None
    return Result(form, ntriples="".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples))


_ORDER_BY = re.compile(r"\bORDER\s+BY\s+(?P<keys>(?:\s*(?:\?\w+|(?:ASC|DESC)\s*\(\s*\?\w+\s*\)))+)\s*$", re.I)
_KEY = re.compile(r"(?:(?P<dir>ASC|DESC)\s*\(\s*)?\?(?P<var>\w+)", re.I)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def in_reading_order(text: str, variables: list[str], rows: list[list[str]]) -> list[list[str]]:
    """The rows in the order of the query's ORDER BY, with text compared as people read it: accents
    and case ignored ("État" among the E's, "BM" after "Banque"); SPARQL engines compare code points,
    which puts "État" after "Région". Numbers compare as numbers, unbound values first, as in SPARQL.
    Only when the query ends with ORDER BY on projected variables (no LIMIT, OFFSET or expression);
    otherwise the engine's order stands."""
    match = _ORDER_BY.search(_strip_comments(text).strip())
    if not match or not rows:
        return rows
    keys = [(m.group("var"), (m.group("dir") or "ASC").upper()) for m in _KEY.finditer(match.group("keys"))]
    if any(var not in variables for var, _ in keys):
        return rows

    def key(value: str):
        if value == "":
            return (0,)
        if _NUMBER.match(value):
            from decimal import Decimal
            return (1, Decimal(value))
        return (2, sort_key(value), value)
    out = list(rows)
    for var, direction in reversed(keys):   # stable sorts, the last key first
        i = variables.index(var)
        out.sort(key=lambda r: key(r[i]), reverse=direction == "DESC")
    return out


def _strip_comments(text: str) -> str:
    """The text with `#` comments blanked (same length, so offsets still match); IRIs and strings
    that contain `#` are kept."""
    out = []
    for line in text.splitlines(keepends=True):
        cut = _comment_start(line)
        out.append(line if cut is None else line[:cut] + " " * (len(line.rstrip("\n")) - cut)
                   + line[len(line.rstrip("\n")):])
    return "".join(out)


def _comment_start(line: str) -> int | None:
    quote = None
    in_iri = False
    for i, ch in enumerate(line):
        if quote:
            if ch == "\\":
                continue
            if ch == quote and (i == 0 or line[i - 1] != "\\"):
                quote = None
        elif in_iri:
            in_iri = ch != ">"
        elif ch in "\"'":
            quote = ch
        elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", line[i:]):
            in_iri = True
        elif ch == "#":
            return i
    return None
