"""Server configuration for a published site (`deploy/` of the site): content negotiation on
extension-less IRIs, 301 for the retired IRIs, and the w3id.org redirection of cvgraph's namespaces.

- `nginx.conf`: maps and a `server` block, for nginx's http level (Debian: /etc/nginx/conf.d/).
- `apache.htaccess`: the `.htaccess` of the site's folder (mod_rewrite, mod_headers, mod_mime).
- `w3id.htaccess`: the `.htaccess` to submit to the w3id.org repository (perma-id/w3id.org,
  folder `cvgraph/`): it sends each persistent IRI — resources under `id/`, the ontology, its
  vocabularies and the shapes — with a 303 to where the site is hosted.

Each is tested with the real server (tests/test_deploy.py) on 127.0.0.1.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TYPES = (("ttl", "text/turtle"), ("jsonld", "application/ld\\+json"), ("nt", "application/n-triples"))
EXTS = ("", ".html", ".ttl", ".jsonld", ".nt")


def nginx_conf(base: str, root: str, moves: dict[str, str]) -> str:
    parts = urlsplit(base)
    path = parts.path or "/"
    moved = "".join(f"    {path}{old}{ext} {base}{new}{ext};\n" for old, new in moves.items() for ext in EXTS)
    return f"""# nginx: the cvgraph site of {base}, with content negotiation on extension-less resource IRIs
# (Accept: text/turtle gets x.ttl, application/ld+json x.jsonld, application/n-triples x.nt, browsers
# x.html; answers direct, with Vary: Accept) and a 301 for each retired IRI (deploy/retired.tsv).
# Put the published folder at {root}; include this file at nginx's http level (Debian:
# /etc/nginx/conf.d/cvgraph.conf) and set `listen` and `server_name` for your host.
map $http_accept $cvgraph_ext {{
    default                      ".html";
    "~*text/html"                ".html";
    "~*text/turtle"              ".ttl";
    "~*application/ld\\+json"     ".jsonld";
    "~*application/n-triples"    ".nt";
}}
map $uri $cvgraph_moved {{
    default "";
{moved}}}
server {{
    listen 80;
    server_name {parts.hostname};
    location {path} {{
        if ($cvgraph_moved) {{ return 301 $cvgraph_moved; }}
        alias {root}/;
        types {{ text/html html; text/turtle ttl; application/ld+json jsonld; application/n-triples nt;
                 text/plain txt tsv; application/gzip gz; }}
        default_type text/turtle;
        add_header Vary Accept always;
        try_files $uri$cvgraph_ext $uri $uri/index.html =404;
    }}
    # The SPARQL endpoint is `cvgraph serve`; proxy it (see SECURITY.md):
    location = {path}sparql {{ proxy_pass http://127.0.0.1:8000/sparql; }}
}}
"""


def apache_htaccess(base: str, moves: dict[str, str]) -> str:
    negotiate = "".join(f"""RewriteCond %{{HTTP_ACCEPT}} {media}
RewriteCond %{{REQUEST_FILENAME}}.{ext} -f
RewriteRule ^(.+)$ $1.{ext} [L]
""" for ext, media in TYPES)
    moved = "".join(f"RewriteRule ^{re.escape(old)}(\\.(html|ttl|jsonld|nt))?$ {base}{new}$1 [R=301,L]\n"
                    for old, new in moves.items())
    return f"""# Apache: the .htaccess of the published folder of {base} (mod_rewrite, mod_headers and
# mod_mime on; AllowOverride FileInfo Indexes Options). Content negotiation on extension-less resource IRIs,
# answers direct with Vary: Accept; a 301 for each retired IRI (deploy/retired.tsv).
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType text/html .html
Options -MultiViews
DirectoryIndex index.html
# a resource is also the folder of its parts (orientation/5 and orientation/5/…): no slash added
DirectorySlash Off
RewriteEngine On
{moved}RewriteCond %{{REQUEST_FILENAME}} -f
RewriteRule ^ - [L]
{negotiate}RewriteCond %{{REQUEST_FILENAME}}.html -f
RewriteRule ^(.+)$ $1.html [L]
Header merge Vary Accept
# The SPARQL endpoint is `cvgraph serve`: ProxyPass "{urlsplit(base).path}sparql" "http://127.0.0.1:8000/sparql"
"""


def w3id_htaccess(hosted_at: str) -> str:
    """The w3id.org rules for https://w3id.org/cvgraph/: each namespace to the site at `hosted_at`."""
    rdf = "".join(f"RewriteCond %{{HTTP_ACCEPT}} {media} [OR]\n" for _, media in TYPES)
    rdf = rdf[:-len(" [OR]\n")] + "\n"
    return f"""# w3id.org/cvgraph/.htaccess, for the perma-id/w3id.org repository: the persistent IRIs of
# cvgraph sent (303 See Other) to the site published at {hosted_at}.
#   https://w3id.org/cvgraph/id/…        resources: the site negotiates HTML, Turtle, JSON-LD, N-Triples
#   https://w3id.org/cvgraph/ontology    the ontology (its terms are …/ontology#Term)
#   https://w3id.org/cvgraph/vocab/…     the concept schemes (funding kinds, roles, units…)
#   https://w3id.org/cvgraph/shapes      the SHACL shapes (their shapes are …/shapes#Shape)
Options +FollowSymLinks
RewriteEngine on
Header set Access-Control-Allow-Origin *

# the ontology, the vocabularies and the shapes: RDF (Turtle) or their documentation
{rdf}RewriteRule ^(ontology|vocab(/.*)?)$ {hosted_at}ontology/cvgraph.ttl [R=303,L]
RewriteRule ^ontology$ {hosted_at}ontology/index.html [R=303,L]
RewriteRule ^vocab/([^/]+)/([^/]+)$ {hosted_at}ontology/index.html#vocab-$1-$2 [R=303,NE,L]
RewriteRule ^vocab(/([^/]+))?/?$ {hosted_at}ontology/index.html [R=303,L]
{rdf}RewriteRule ^shapes$ {hosted_at}shapes/cvgraph.ttl [R=303,L]
RewriteRule ^shapes$ {hosted_at}shapes/index.html [R=303,L]

# the resources: the site answers in the format asked
RewriteRule ^id/?$ {hosted_at} [R=303,L]
RewriteRule ^id/(.*)$ {hosted_at}$1 [R=303,L]
RewriteRule ^$ {hosted_at} [R=303,L]
"""
