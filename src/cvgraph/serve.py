"""`cvgraph serve`: the published site with content negotiation, and a read-only SPARQL endpoint.

Resource URIs (`/contract/x`, no extension) are answered directly (200, `Vary: Accept`,
`Content-Location` naming the file) in the format the Accept header prefers among text/html,
text/turtle, application/ld+json and application/n-triples; the twins stay reachable at
`/contract/x.ttl`, `.jsonld`, `.nt` and `.html`.

`/sparql` speaks the SPARQL 1.1 Protocol (GET `?query=`, POST form or `application/sparql-query`).
SELECT and ASK answer in JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle, N-Triples,
JSON-LD or RDF/XML; `format=` overrides the Accept header (`format=html` gives a table for people).
Queries run in worker processes, so that a query over its time limit is stopped by ending its
worker (a new one takes its place) and the server keeps serving; results beyond the size cap are
cut, and the answer says so in an `X-Cvgraph-Truncated` header. Updates are refused with 403.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import multiprocessing as mp
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pyoxigraph as ox

from .errors import UsageError

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html"}
GRAPH_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "rdf": "application/rdf+xml"}
PAGE_TYPES = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
              "txt": "text/plain"}
MEDIA = {".html": "text/html; charset=utf-8", ".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json",
         ".nt": "application/n-triples", ".gz": "application/gzip", ".conf": "text/plain; charset=utf-8",
         ".htaccess": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml",
         ".txt": "text/plain; charset=utf-8"}
TEXT = "text/plain; charset=utf-8"
MAX_QUERY = 100_000   # characters
MAX_BODY = 4 * MAX_QUERY   # bytes of a POST body
MAX_DEPTH = 64        # nesting of { } and ( ) in a query
MAX_HEAD = 16 * 1024  # bytes of a request's head (request line and headers)
READ_ONLY = "this endpoint is read-only: updates are refused"
_LEXEMES = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<open>[{(])
  | (?P<close>[})])
  | (?P<word>(?<![\w:?$])[A-Za-z]+\b(?![:\w]))
""", re.X)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def screen(text: str) -> tuple[int, str] | None:
    """`_screen` on the text as sent and with its \\u escapes decoded (SPARQL allows them
    anywhere; the engine reads them only in strings and IRIs, but a refusal costs nothing)."""
    decoded = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                     lambda m: _char(m.group(1) or m.group(2)), text)
    return _screen(text) or (_screen(decoded) if decoded != text else None)


def _char(hex_digits: str) -> str:
    code = int(hex_digits, 16)
    return chr(code) if code <= 0x10FFFF else "\ufffd"


def _screen(text: str) -> tuple[int, str] | None:
    """Why a query text is refused before it reaches the store, as (status, message), or None.

    The text is read as SPARQL tokens (comments, strings and IRIs skipped, so that a label or a
    comment saying "SERVICE" is no keyword): an update (403), a `SERVICE` call, which the engine
    would make to another host over HTTP (403), and nesting deeper than MAX_DEPTH (400)."""
    depth = deepest = 0
    first = None
    for m in _LEXEMES.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = m.group().upper()
            if word == "SERVICE":
                return 403, "SERVICE is refused: this endpoint does not call other endpoints"
            if first is None and word not in ("PREFIX", "BASE"):
                first = word
    if first in _UPDATE_WORDS:
        return 403, READ_ONLY
    if deepest > MAX_DEPTH:
        return 400, f"query nested deeper than {MAX_DEPTH} levels"
    return None


@dataclass
class Settings:
    site: Path
    dump: Path
    time_limit: float = 10.0
    max_results: int = 10_000
    workers: int = 2
    cache_mb: int = 64
    build: Path | None = None            # the build the site was published from, watched for a new one
    republish: object = None             # () -> (site, dump): the site of the build as it is now
    watch_every: float = 1.0             # seconds between two looks at the build
    owned: tuple = ()                    # temporary folders of ours, removed on exit


def build_stamp(build: Path | None):
    """What changes when a new build replaces `build`: its store.json's inode, size and time."""
    if build is None:
        return None
    try:
        st = (Path(build) / "store.json").stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


# --- content negotiation -----------------------------------------------------------------------

def accepted(header: str | None) -> list[tuple[str, float]]:
    """The media types of an Accept header with their q values, best first."""
    out = []
    for i, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if fields[0]:
            out.append((fields[0].lower(), q, -i))
    out.sort(key=lambda x: (-x[1], -x[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(header: str | None, offers: dict[str, str], default: str) -> str | None:
    """The key of `offers` (key -> media type) the Accept header prefers; None when none is acceptable."""
    for media, _q in accepted(header):
        for key, offered in offers.items():
            if media == offered:
                return key
        if media in ("*/*", "text/*", "application/*"):
            if media == "*/*" or offers[default].startswith(media[:-1]):
                return default
            for key, offered in offers.items():
                if offered.startswith(media[:-1]):
                    return key
    return None


# --- the query workers -------------------------------------------------------------------------

def _worker(dump: str, conn) -> None:
    store = ox.Store()
    store.bulk_load(path=dump, format=ox.RdfFormat.N_TRIPLES)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            conn.send(execute(store, *job))
        except Exception as err:  # reported to the client as a 500, the worker lives on
            conn.send((500, "text/plain; charset=utf-8", f"query failed: {err.__class__.__name__}".encode(), False))


def execute(store: ox.Store, text: str, fmt: str | None, accept: str | None, cap: int):
    """Run one query; returns (status, content type, body, truncated)."""
    try:
        result = store.query(text)
    except SyntaxError as err:
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error: {err}".encode(), False
    if isinstance(result, (bool, ox.QueryBoolean)):
        key = fmt if fmt in ("json", "xml") else negotiate(accept, {k: RESULT_TYPES[k] for k in ("json", "xml")}, "json")
        if key is None:
            return 406, "text/plain", b"ASK answers in application/sparql-results+json or +xml", False
        if key == "xml":
            body = ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                    f"<boolean>{str(bool(result)).lower()}</boolean></sparql>")
        else:
            body = json.dumps({"head": {}, "boolean": bool(result)})
        return 200, RESULT_TYPES[key], body.encode(), False
    if isinstance(result, ox.QuerySolutions):
        key = fmt if fmt in RESULT_TYPES else negotiate(accept, RESULT_TYPES, "json")
        if key is None:
            return 406, "text/plain", b"SELECT answers in JSON, XML, CSV or TSV results", False
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if len(rows) >= cap:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        return 200, RESULT_TYPES[key] + ("; charset=utf-8" if key in ("csv", "tsv", "html") else ""), \
            write_solutions(key, variables, rows), truncated
    key = fmt if fmt in GRAPH_TYPES else negotiate(accept, GRAPH_TYPES, "ttl")
    if key is None:
        return 406, "text/plain", b"CONSTRUCT and DESCRIBE answer in Turtle, N-Triples, JSON-LD or RDF/XML", False
    triples, truncated = [], False
    for t in result:
        if len(triples) >= cap:
            truncated = True
            break
        triples.append(t)
    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "rdf": ox.RdfFormat.RDF_XML}
    return 200, GRAPH_TYPES[key], ox.serialize(triples, format=formats[key]), truncated


def text_of(t) -> str:
    """A term's lexical value (an IRI, a blank node id, a literal's text); a quoted triple (RDF 1.2)
    in N-Triples."""
    return str(t) if isinstance(t, ox.Triple) else t.value


def term_json(t) -> dict:
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(t.subject), "predicate": term_json(t.predicate),
                                            "object": term_json(t.object)}}
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def write_solutions(key: str, variables: list[str], rows: list[list]) -> bytes:
    e = html.escape
    if key == "json":
        bindings = [{v: term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if key == "xml":
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f'<variable name="{v}"/>' for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            for v, t in zip(variables, row):
                if t is None:
                    continue
                if isinstance(t, ox.NamedNode):
                    inner = f"<uri>{e(t.value)}</uri>"
                elif isinstance(t, ox.BlankNode):
                    inner = f"<bnode>{e(t.value)}</bnode>"
                elif isinstance(t, ox.Triple):
                    inner = f"<literal>{e(str(t))}</literal>"   # no standard XML form for a quoted triple
                elif t.language:
                    inner = f'<literal xml:lang="{e(t.language)}">{e(t.value)}</literal>'
                else:
                    inner = f'<literal datatype="{e(t.datatype.value)}">{e(t.value)}</literal>'
                out.append(f'<binding name="{v}">{inner}</binding>')
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode()
    if key in ("csv", "tsv"):
        import csv
        buf = io.StringIO()
        if key == "csv":
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(variables)
            writer.writerows(["" if t is None else text_of(t) for t in row] for row in rows)
        else:
            buf.write("\t".join("?" + v for v in variables) + "\n")
            for row in rows:
                buf.write("\t".join("" if t is None else str(t) for t in row) + "\n")
        return buf.getvalue().encode()
    head = "".join(f"<th>{e(v)}</th>" for v in variables)
    body = "".join("<tr>" + "".join(f"<td>{'' if t is None else e(text_of(t))}</td>" for t in row) + "</tr>"
                   for row in rows)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Résultats SPARQL</title>'
            "<style>body{font-family:system-ui,sans-serif;margin:1em}table{border-collapse:collapse}"
            "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}</style></head><body>"
            f'<p><a href="query.html">← requêtes</a> · {len(rows)} ligne(s)</p><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></body></html>").encode()


class QueryPool:
    """Worker processes holding the store; a query over the time limit ends its worker."""

    def __init__(self, dump: Path, size: int):
        self.dump = str(dump)
        self.ctx = mp.get_context("spawn")
        self.idle: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.all: list = []
        for _ in range(max(1, size)):
            self.idle.put(self._start())

    def _start(self):
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(self.dump, child), daemon=True)
        proc.start()
        child.close()
        with self.lock:
            self.all.append(proc)
        return proc, parent

    def run(self, job: tuple, time_limit: float):
        """Run `job` on an idle worker: its answer; 503 when no worker frees up within the time
        limit, or when the query runs over it (its worker is then ended and replaced); 500 when
        the worker dies (a new one takes its place)."""
        try:
            proc, conn = self.idle.get(timeout=time_limit)
        except queue.Empty:
            return 503, TEXT, b"busy: every query worker is taken; try again shortly", False
        answer = None
        try:
            conn.send(job)
            if conn.poll(time_limit):
                answer = conn.recv()
                self.idle.put((proc, conn))
                return answer
            answer = 503, TEXT, f"query stopped: over the time limit of {time_limit:g} s".encode(), False
        except (EOFError, OSError):
            answer = 500, TEXT, b"query failed: its worker process ended", False
        proc.kill()
        proc.join(timeout=5)
        conn.close()
        with self.lock:
            self.all.remove(proc)
        self.idle.put(self._start())
        return answer

    def close(self):
        with self.lock:
            for proc in self.all:
                if proc.is_alive():
                    proc.kill()


class AnswerCache:
    """The last answers, by query, format and Accept header, up to `limit` bytes of bodies. An
    answer stays right as long as the graph served is the same: a new build empties the cache."""

    def __init__(self, limit: int):
        from collections import OrderedDict
        self.limit, self.size = limit, 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            answer = self.items.get(key)
            if answer is not None:
                self.items.move_to_end(key)
            return answer

    @staticmethod
    def cost(key, answer) -> int:
        return len(answer[2]) + len(key[0])   # the body and the query text

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0

    def put(self, key, answer) -> None:
        cost = self.cost(key, answer)
        if cost > self.limit // 8:
            return   # one answer never takes more than an eighth of the cache
        with self.lock:
            if key in self.items:
                return
            self.items[key] = answer
            self.size += cost
            while self.size > self.limit:
                self.size -= self.cost(*self.items.popitem(last=False))


# --- the application -----------------------------------------------------------------------------

def create_app(settings: Settings):
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Route

    import asyncio
    import shutil

    # what is served: replaced whole (site, its retired IRIs, its query workers) when a new build appears
    live = {"site": settings.site.resolve(), "pool": QueryPool(settings.dump, settings.workers),
            "stamp": build_stamp(settings.build), "owned": list(settings.owned)}
    live["moved"] = load_retired(live["site"] / "deploy" / "retired.tsv")
    cache = AnswerCache(settings.cache_mb * 1024 * 1024)

    def reload(stamp) -> None:
        """In a thread: publish the new build, start its workers, then swap them in and drop every
        kept answer; the old site and workers serve until then, and are then removed."""
        site, dump = settings.republish()
        pool = QueryPool(dump, settings.workers)
        old_pool, old_owned = live["pool"], live["owned"]
        live.update(site=Path(site).resolve(), pool=pool, stamp=stamp, owned=[Path(site).parent],
                    moved=load_retired(Path(site) / "deploy" / "retired.tsv"))
        cache.clear()
        old_pool.close()
        for folder in old_owned:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"cvgraph: serving the new build of {settings.build} ({site})", flush=True)

    async def watch() -> None:
        while True:
            await asyncio.sleep(settings.watch_every)
            stamp = build_stamp(settings.build)
            if stamp is not None and stamp != live["stamp"]:
                try:
                    await asyncio.to_thread(reload, stamp)
                except Exception as err:   # a build that cannot be published: keep serving the old one
                    print(f"cvgraph: the new build of {settings.build} is not served: {err}", flush=True)
                    live["stamp"] = stamp

    not_found_page = ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Introuvable</title></head>'
                      '<body><h1>Ressource introuvable</h1><p>Aucune ressource à cette adresse.</p>'
                      '<p><a href="/">Accueil</a></p></body></html>')

    def not_found():
        return HTMLResponse(not_found_page, status_code=404)

    def file_response(path: Path, **headers):
        media = MEDIA.get(path.suffix) or MEDIA.get(path.name) or "application/octet-stream"
        if path.name == "void":
            media = MEDIA[".ttl"]
        return FileResponse(path, media_type=media, headers=headers or None)

    async def read_body(request: Request) -> bytes | None:
        """The body, or None when it is over MAX_BODY (read no further than that)."""
        try:
            if int(request.headers.get("content-length", "0")) > MAX_BODY:
                return None
        except ValueError:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def sparql(request: Request):
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return PlainTextResponse(READ_ONLY, status_code=403)
            body = await read_body(request)
            if body is None:
                return PlainTextResponse(f"request body over {MAX_BODY} bytes", status_code=413)
            if ctype == "application/sparql-query":
                text, fmt = body.decode("utf-8", "replace"), request.query_params.get("format")
            elif ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), strict_parsing=False, errors="strict")
                except (UnicodeDecodeError, ValueError):
                    return PlainTextResponse("bad form encoding", status_code=400)
                if "update" in form:
                    return PlainTextResponse(READ_ONLY, status_code=403)
                text = (form.get("query") or [None])[0]
                fmt = (form.get("format") or [None])[0] or request.query_params.get("format")
            else:
                return PlainTextResponse("POST a query as application/sparql-query or as a form", status_code=415)
        else:
            if "update" in request.query_params:
                return PlainTextResponse(READ_ONLY, status_code=403)
            try:
                query = parse_qs(request.scope.get("query_string", b"").decode("ascii"), errors="strict")
            except (UnicodeDecodeError, ValueError):
                return PlainTextResponse("bad percent-encoding in the query string", status_code=400)
            text, fmt = (query.get("query") or [None])[0], (query.get("format") or [None])[0]
        if not text:
            return PlainTextResponse("missing query parameter (see /query.html)", status_code=400)
        if len(text) > MAX_QUERY:
            return PlainTextResponse("query too long", status_code=413)
        refused = screen(text)
        if refused:
            return PlainTextResponse(refused[1], status_code=refused[0])
        fmt = {"text/csv": "csv", "application/sparql-results+json": "json", "turtle": "ttl"}.get(fmt, fmt)
        job = (text, fmt, request.headers.get("accept"), settings.max_results)
        answer = cache.get(job)
        if answer is None:
            answer = await run_in_threadpool(live["pool"].run, job, settings.time_limit)
            if answer[0] == 200:
                cache.put(job, answer)
        status, media, body, truncated = answer
        headers = {"Vary": "Accept", "Access-Control-Allow-Origin": "*"}
        if truncated:
            headers["X-Cvgraph-Truncated"] = f"results cut at {settings.max_results}"
        return Response(body, status_code=status, media_type=media, headers=headers)

    async def resource(request: Request):
        raw = request.scope.get("raw_path", b"").decode("latin-1").split("?")[0]
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return PlainTextResponse("bad percent-encoding in the path", status_code=400)
        parts = [p for p in decoded.split("/") if p]
        if any(p in ("..", ".") or "\\" in p or "\x00" in p for p in parts):
            return PlainTextResponse("path not allowed", status_code=400)
        rel = "/".join(parts)
        stem, dot, ext = rel.rpartition(".") if "." in rel.rsplit("/", 1)[-1] else (rel, "", "")
        site, moved = live["site"], live["moved"]
        if stem in moved and (not dot or ext in PAGE_TYPES):   # a retired IRI: permanently to its successor
            return Response(status_code=301, headers={"Location": "/" + moved[stem] + (dot + ext),
                                                      "Cache-Control": "max-age=86400"})
        target = (site / rel).resolve() if rel else site
        if target != site and site not in target.parents:
            return PlainTextResponse("path not allowed", status_code=400)
        if target.is_file():
            return file_response(target)
        twins = {key: target.with_name(target.name + "." + key) for key in PAGE_TYPES} if rel else {}
        twins = {key: path for key, path in twins.items() if path.is_file()}
        if "html" in twins:  # a resource URI (it may also be a folder of its parts), or a text's page
            offers = {key: PAGE_TYPES[key] for key in twins}
            key = negotiate(request.headers.get("accept"), offers, "html")
            if key is None:
                return PlainTextResponse("not acceptable: " + ", ".join(offers.values()), status_code=406)
            described = ", ".join(f'<{target.name}.{k}>; rel="describedby"; type="{PAGE_TYPES[k]}"'
                                  for k in twins if k in ("ttl", "jsonld", "nt"))   # the RDF documents that describe it
            return file_response(twins[key], Vary="Accept", **{"Content-Location": f"{target.name}.{key}"},
                                 **({"Link": described} if described else {}))
        if target.is_dir() and (target / "index.html").is_file():
            return file_response(target / "index.html")
        return not_found()

    routes = [Route("/sparql", sparql, methods=["GET", "POST"]),
              Route("/{path:path}", resource, methods=["GET", "HEAD"])]
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        watcher = asyncio.create_task(watch()) if settings.build is not None and settings.republish else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            live["pool"].close()
            for folder in live["owned"]:   # the site published for this server goes with it
                shutil.rmtree(folder, ignore_errors=True)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.live = live
    return _guarded(app)


def load_retired(path: Path) -> dict[str, str]:
    """`deploy/retired.tsv` of a published site: retired path -> successor path."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        old, _, new = line.partition("\t")
        if old and new:
            out[old] = new
    return out


SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"),   # a .ttl is never run as a script
                    (b"content-security-policy", b"frame-ancestors 'none'"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin")]


async def _refuse(send, status: int, message: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", TEXT.encode()), (b"connection", b"close"),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": message})


def _guarded(app):
    """The ASGI app behind cvgraph's own limits on the request head (414, 431), with
    SECURITY_HEADERS added to every response."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        # the server's own limit on the head, checked again whichever HTTP parser runs
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > MAX_HEAD:
            return await _refuse(send, 414, b"request line too long")
        if sum(len(k) + len(v) + 4 for k, v in scope.get("headers", [])) > MAX_HEAD:
            return await _refuse(send, 431, b"request headers too large")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)
        await app(scope, receive, send_with_headers)
    wrapped.state = app.state
    return wrapped


def prepare_site(graph_path, site_dir: Path | None, base_uri: str, sources=None) -> tuple[Path, Path]:
    """The site to serve: the folder given, or one published now from the build for `base_uri`
    (into a temporary folder, which the server removes when it stops)."""
    from .publish import publish

    if site_dir:
        site_dir = Path(site_dir)
        dump = site_dir / "dump" / "cvgraph.nt"
        if not (site_dir / "index.html").is_file() or not dump.is_file():
            raise UsageError(f"{site_dir}: not a published site (run `cvgraph publish --out {site_dir}`)")
        return site_dir, dump
    out = Path(tempfile.mkdtemp(prefix="cvgraph-site-")) / "site"
    try:
        publish(out, graph_path, base_uri, sources=sources, sparql_endpoint=base_uri + "sparql")
    except BaseException:
        import shutil
        shutil.rmtree(out.parent, ignore_errors=True)
        raise
    return out, out / "dump" / "cvgraph.nt"


def serve(graph_path=None, host: str = "127.0.0.1", port: int = 8000, site_dir: Path | None = None,
          base_uri: str | None = None, time_limit: float = 10.0, max_results: int = 10_000, workers: int = 2,
          cache_mb: int = 64, sources=None) -> None:
    """Serve a published site, or the build (`graph_path`, default the last build) published now:
    then a new build of that folder is noticed within a second and served once published, and the
    kept answers are dropped."""
    import uvicorn

    from ._paths import default_build_dir

    base = base_uri or f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"
    site, dump = prepare_site(graph_path, site_dir, base, sources)
    build = None
    if not site_dir:
        folder = Path(graph_path) if graph_path else default_build_dir()
        build = folder if folder.is_dir() else None
    settings = Settings(site, dump, time_limit, max_results, workers, cache_mb, build=build,
                        republish=lambda: prepare_site(graph_path, None, base, sources),
                        owned=() if site_dir else (site.parent,))
    app = create_app(settings)
    print(f"cvgraph: serving {site} at http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C to stop", flush=True)
    # h11 whatever else is installed, so that the server parses requests alike everywhere; its head
    # limit did not stop a 40 KiB header in a test, so _guarded checks the head again
    uvicorn.run(app, host=host, port=port, log_level="warning", http="h11", h11_max_incomplete_event_size=MAX_HEAD)
