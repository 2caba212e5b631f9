"""Reading the YAML source sheets with the line number of every mapping and key.

PyYAML's safe loader is extended so that each mapping comes back as a `Node` (a dict) that knows the
file it came from, its own line and the line of each of its keys. Errors can then name file, line
and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError


class Node(dict):
    """A YAML mapping that remembers where it was written."""

    file: str = "<input>"
    line: int | None = None
    key_lines: dict

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)

    def error(self, message: str, field: str | None = None) -> SourceError:
        line = self.line_of(field) if field else self.line
        return SourceError(message, file=self.file, line=line, field=field)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader building `Node`s, rejecting duplicate keys (libyaml's parser when PyYAML has
    it: ten times faster on large sheets)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    out = Node()
    out.file = loader.name
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise SourceError("keys must be text", file=loader.name, line=key_node.start_mark.line + 1)
        if key in out:
            raise SourceError("duplicate key", file=loader.name,
                              line=key_node.start_mark.line + 1, field=key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date as YAML reads it; one that does not exist (0000-00-00, 2023-02-30) is an error
    naming its line, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise SourceError(f"{node.value!r} is not a valid date", file=loader.name,
                          line=node.start_mark.line + 1) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; any syntax error becomes a SourceError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise SourceError(f"not UTF-8 text ({err.reason})", file=path) from None
    except OSError as err:
        raise SourceError(f"cannot read: {err.strerror}", file=path) from None
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join((err.problem or err.context or "invalid YAML").split())
        raise SourceError(f"invalid YAML: {problem}", file=path, line=line) from None
    except yaml.reader.ReaderError as err:   # a character YAML does not allow (a control character…)
        line = text.count("\n", 0, max(0, err.position)) + 1
        raise SourceError(f"invalid YAML: character #x{err.character:04x} is not allowed "
                          f"(control characters cannot appear in a sheet)", file=path, line=line) from None
    except yaml.YAMLError as err:
        raise SourceError(f"invalid YAML: {' '.join(str(err).split())[:200]}", file=path) from None
    finally:
        loader.dispose()


# --- typed field access -------------------------------------------------------------------------

def require(node: Any, key: str, kind: type | tuple = str, *, where: Node | None = None) -> Any:
    """The value of a required field, checked for type."""
    if not isinstance(node, Node):
        raise (where or Node()).error("expected a mapping")
    if key not in node or node[key] is None or node[key] == "":
        raise node.error("missing required field", key)
    return check_type(node, key, kind)


def optional(node: Node, key: str, kind: type | tuple = str, default: Any = None) -> Any:
    if key not in node or node[key] is None:
        return default
    return check_type(node, key, kind)


def check_type(node: Node, key: str, kind: type | tuple) -> Any:
    value = node[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if bool in [type(value)] and bool not in kinds:
        raise node.error(f"expected {_kind_name(kinds)}, got true/false", key)
    if not isinstance(value, kinds):
        raise node.error(f"expected {_kind_name(kinds)}, got {type(value).__name__}", key)
    return value


def _kind_name(kinds: tuple) -> str:
    names = {str: "text", int: "a whole number", float: "a number", list: "a list", Node: "a mapping",
             dict: "a mapping", bool: "true or false"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def mappings(node: Node, key: str, *, required: bool = False) -> list[Node]:
    """A list field whose items must all be mappings."""
    items = require(node, key, list) if required else optional(node, key, list, [])
    for item in items:
        if not isinstance(item, Node):
            raise node.error("every item must be a mapping", key)
    return items
