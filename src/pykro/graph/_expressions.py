"""Where the ``${...}`` expressions of an RGD are and what they reference, with kro's field-path spelling."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pykro import _memo as memo
from pykro import cel
from pykro.cel import Reference, Standalone, Template
from pykro.cel._ast import Node

__all__ = ["FUNCTION_NAMESPACES", "Field", "expression_fields", "field_of", "fields_in", "format_path"]

PathKey = str | int
Path = tuple[PathKey, ...]

# Roots that name CEL function libraries rather than variables (``random.seededString(...)``, ``json.marshal``).
FUNCTION_NAMESPACES = frozenset(
    {"random", "json", "math", "strings", "base64", "lists", "sets", "hash", "url", "ip", "cidr", "semver",
     "quantity", "regex", "cel", "optional", "k8s"}
)  # fmt: skip


@memo.cached(maxsize=8192)
def format_path(path: Path) -> str:
    """kro's spelling of a field path: ``spec.containers[0].image``, ``data["index.html"]``."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key == "" or "." in key:
            out += f'["{key}"]'
        else:
            out += f".{key}" if out else key
    return out


@dataclass(frozen=True)
class Field:
    """One expression-bearing string: where it is, what it says, the CEL to evaluate (and its AST), the variable
    uses (:func:`pykro.cel.references`) and the roots they read."""

    path: Path
    written: str
    cel: str
    parsed: Standalone | Template
    tree: Node
    references: tuple[Reference, ...]
    roots: tuple[str, ...]

    @property
    def standalone(self) -> bool:
        return isinstance(self.parsed, Standalone)

    @property
    def path_text(self) -> str:
        return format_path(self.path)


def _roots(refs: tuple[Reference, ...]) -> tuple[str, ...]:
    """The free variables read (comprehension variables and function namespaces are not references)."""
    return tuple(dict.fromkeys(ref.root for ref in refs))


Analysed = tuple[str, Standalone | Template, Node, tuple[Reference, ...], tuple[str, ...]]


@memo.cached(maxsize=16384)
def _analysed(value: str) -> Analysed | None:
    """``(cel, parsed, tree, references, roots)`` of a string holding ``${...}`` (None for plain text); the same
    strings recur across resources and graphs, so the parse is kept per process (all parts are immutable)."""
    parsed = cel.parse_value(value)
    if isinstance(parsed, str):
        return None
    expression = parsed.expression if isinstance(parsed, Standalone) else cel.template_to_cel(parsed)
    tree = cel.parse(expression)
    refs = tuple(cel.references(tree))
    return expression, parsed, tree, refs, _roots(refs)


@memo.cached(maxsize=16384)
def field_of(path: Path, value: str) -> Field | None:
    """The Field for a string holding ``${...}``, or None for a plain string. Raises a PykroError on bad syntax.
    Fields are immutable, and templates repeat across graphs: one Field per (path, text) is shared."""
    found = _analysed(value)
    return None if found is None else Field(path, value, *found)


def fields_in(obj: Any, base: Path = ()) -> tuple[list[Field], list[Path]]:
    """The expression fields of a template or status block, and the paths of plain (expression-free) leaves, in
    document order (mapping keys and list indices make up the paths)."""
    fields: list[Field] = []
    plain: list[Path] = []
    _visit(obj, base, fields, plain)
    return fields, plain


def expression_fields(obj: Any, base: Path = ()) -> list[Field]:
    """The expression fields of a template, in document order."""
    fields: list[Field] = []
    _visit(obj, base, fields, None)
    return fields


def _visit(value: Any, path: Path, fields: list[Field], plain: list[Path] | None) -> None:
    """Collect ``value``'s fields (and plain leaf paths, when ``plain`` is a list); a path tuple is made only for
    containers and for the leaves that are kept."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        _leaf(value, path, fields, plain)
        return
    containers = (dict, list)  # a tuple of types: faster in isinstance than a union
    keyed = isinstance(value, dict)
    for key, item in items:
        if keyed and type(key) is not str:
            key = str(key)
        if isinstance(item, containers):
            _visit(item, (*path, key), fields, plain)
        elif isinstance(item, str) and "${" in item:
            _leaf(item, (*path, key), fields, plain)
        elif plain is not None:
            plain.append((*path, key))


def _leaf(value: Any, path: Path, fields: list[Field], plain: list[Path] | None) -> None:
    found = field_of(path, value) if isinstance(value, str) and "${" in value else None
    if found is not None:
        fields.append(found)
    elif plain is not None:
        plain.append(path)
