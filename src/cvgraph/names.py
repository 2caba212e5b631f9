"""Matching names as the documents write them, and making URI slugs.

The documents spell one organisation many ways ("La Cali", "CALI", "-Cali"); registries list those
spellings and `normalise` reduces each to a key: case, accents, typographic apostrophes, spacing,
list punctuation at either end and one leading French article are ignored.
"""

from __future__ import annotations

import re
import unicodedata

_ARTICLE = re.compile(r"^(?:les|la|le)\s+(?=\S)|^l'\s*(?=\S)")   # ("Les Résidences", "l'ARS"; not "Lens", "Laval")
_EDGE = re.compile(r"^[\s\-–—→•·:.,;]+|[\s\-–—→•·:.,;/]+$")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def sort_key(label: str) -> str:
    """Labels sorted as people expect: accents and case ignored (État next to Éducation and Etat)."""
    return strip_accents(label).casefold()


def normalise(name: str) -> str:
    """The matching key of a name: `normalise("-La CALI :") == normalise("cali")`."""
    key = strip_accents(name).replace("’", "'").replace("`", "'").casefold()
    key = re.sub(r"\s+", " ", key)
    key = _EDGE.sub("", key)
    key = _ARTICLE.sub("", key)
    return _EDGE.sub("", key)


def slugify(text: str) -> str:
    """A readable URI slug: `slugify("Bop 147 politique ville") == "bop-147-politique-ville"`."""
    key = strip_accents(text).casefold().replace("’", "-").replace("'", "-")
    key = re.sub(r"[^a-z0-9]+", "-", key).strip("-")
    return key or "x"
