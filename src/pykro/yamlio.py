"""YAML in and out, one way for the whole project: libyaml's C loader/dumper, key order kept,
literal block style for multi-line strings, byte-identical output for identical input."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from pykro import _yamlemit
from pykro.errors import ValidationError

__all__ = [
    "MAX_DEPTH",
    "Ambiguous",
    "copy_data",
    "dump",
    "dump_all",
    "load",
    "load_all",
    "load_file",
    "load_user",
    "load_user_all",
    "load_values",
    "path_text",
    "read_user_file",
    "too_deep",
]

try:  # libyaml bindings; the pure-Python classes are a fallback only
    _Loader: type[Any] = yaml.CSafeLoader
    _BaseDumper: type[Any] = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader
    _BaseDumper = yaml.SafeDumper
_FAST = _BaseDumper is getattr(yaml, "CSafeDumper", None)  # the fast writer reproduces libyaml's emitter only


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Safe dumper that writes multi-line strings as literal blocks."""


def _represent_str(dumper: Any, data: str) -> Any:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def copy_data(value: Any) -> Any:
    """A deep copy of YAML/JSON data (dicts and lists copied, scalars shared): much faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: copy_data(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) if isinstance(v, dict | list) else v for v in value]
    return value


def load(text: str) -> Any:
    """Parse one YAML document."""
    return yaml.load(text, Loader=_Loader)


def load_all(text: str) -> Iterator[Any]:
    """Parse every document of a multi-document stream, skipping empty ones."""
    for doc in yaml.load_all(text, Loader=_Loader):
        if doc is not None:
            yield doc


def load_file(path: str | Path) -> Any:
    return load(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- user input
MAX_FILE_BYTES = 8 * 1024 * 1024  # a YAML file a user gives pykro (RGDs, instances, observed objects)
MAX_DEPTH = 100  # nesting of mappings and lists (kro's own fixtures nest at most ~40 deep)
MAX_ALIAS_NODES = 100_000  # nodes that aliases (*name) may add on top of the document's own


def read_user_file(path: str | Path, *, limit: int = MAX_FILE_BYTES, what: str = "file") -> str:
    """The text of a file a user gave: at most ``limit`` bytes of UTF-8, else a ValidationError naming it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ValidationError(
            f"cannot read the {what}: {exc.strerror}", where=str(path), fix="Check the path."
        ) from None
    if len(data) > limit:
        raise ValidationError(f"the {what} is larger than {_size(limit)}", where=str(path), fix="Give a smaller file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            f"the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            where=f"{path}:{line}",
            fix="Save it as UTF-8.",
        ) from None


def load_user_all(text: str, source: str, *, loader: type[Any] | None = None) -> list[Any]:
    """Every non-empty document of YAML a user wrote, checked: a syntax error, nesting deeper than MAX_DEPTH or
    aliases expanding to more than MAX_ALIAS_NODES extra nodes raise a ValidationError at ``source[:line:col]``."""
    try:
        docs = [doc for doc in yaml.load_all(text, Loader=loader or _Loader) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValidationError(f"invalid YAML: {problem}", where=where, fix="Fix the YAML syntax.") from None
    for doc in docs:
        _check_tree(doc, source)
    return docs


class Ambiguous(str):
    """A plain YAML scalar that YAML 1.1 and YAML 1.2 (or helm's ``--set``) read differently, kept as its text.

    PyYAML, like go-yaml v2 under kubectl, reads YAML 1.1: ``010`` is 8, ``0x10`` 16, ``0b10`` 2, ``1_000`` 1000,
    ``1:30`` 90 and ``yes``/``on`` true; YAML 1.2 reads 10, 16, a string, a string, a string and a string, and helm's
    ``--set`` reads ``010`` as a string. Rather than pick one reading silently, :func:`load_values` keeps such a
    scalar as this string (its text) with ``reading``, the YAML 1.1 value: a string field takes the text verbatim,
    any other field refuses it (quote it, or write the number plainly).
    """

    reading: Any


# Forms whose meaning depends on the YAML version: leading zeros, 0x/0o/0b prefixes, digit underscores, base 60.
_AMBIGUOUS_NUMBER = re.compile(r"[-+]?(0[0-9_]+|0[xob].*|.*_.*|.*:.*)")
_PLAIN_BOOL = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})


class _ValuesLoader(_Loader):  # type: ignore[misc]
    """The user loader, with YAML-version-dependent plain scalars kept as :class:`Ambiguous` text."""


def _keep_ambiguous(base: Any, plain: Callable[[str], bool]) -> Callable[[Any, Any], Any]:
    def construct(loader: Any, node: Any) -> Any:
        value = base(loader, node)
        if not node.style and not plain(node.value):  # plain scalars: style None (or "" from libyaml)
            kept = Ambiguous(node.value)
            kept.reading = value
            return kept
        return value

    return construct


_ValuesLoader.add_constructor(
    "tag:yaml.org,2002:int",
    _keep_ambiguous(yaml.constructor.SafeConstructor.construct_yaml_int, lambda t: not _AMBIGUOUS_NUMBER.fullmatch(t)),
)
_ValuesLoader.add_constructor(
    "tag:yaml.org,2002:float",
    _keep_ambiguous(yaml.constructor.SafeConstructor.construct_yaml_float, lambda t: "_" not in t and ":" not in t),
)
_ValuesLoader.add_constructor(
    "tag:yaml.org,2002:bool",
    _keep_ambiguous(yaml.constructor.SafeConstructor.construct_yaml_bool, lambda t: t in _PLAIN_BOOL),
)


def load_values(text: str, source: str) -> Any:
    """One document of spec values a user wrote (a values file, a ``--set`` value), checked like ``load_user``;
    scalars YAML versions read differently come back as :class:`Ambiguous` for the spec check to decide."""
    return load_user(text, source, loader=_ValuesLoader)


def load_user(text: str, source: str, *, loader: type[Any] | None = None) -> Any:
    """The one document of YAML a user wrote (None when empty), checked like ``load_user_all``."""
    docs = load_user_all(text, source, loader=loader)
    if len(docs) > 1:
        raise ValidationError(
            f"expected one YAML document, found {len(docs)} (separated by ---)",
            where=source,
            fix="Keep one document, or merge them into one mapping.",
        )
    return docs[0] if docs else None


def _check_tree(doc: Any, source: str) -> None:
    """Refuse what would explode later: cycles (recursive aliases), deep nesting, alias bombs."""
    sizes: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, height), for containers
    active: set[int] = set()
    own = 0

    def visit(node: Any, depth: int) -> tuple[int, int]:
        nonlocal own
        key = id(node)
        if key in sizes:
            size, height = sizes[key]
        else:
            if key in active:
                raise ValidationError(
                    "a YAML alias refers to a node that contains it", where=source, fix="Remove the recursive alias."
                )
            if depth > MAX_DEPTH:
                raise _too_deep(source, doc)
            active.add(key)
            children = node.values() if isinstance(node, dict) else node
            size, height = 1, 0
            for child in children:
                if isinstance(child, dict | list):
                    child_size, child_height = visit(child, depth + 1)
                    size, height = size + child_size, max(height, child_height + 1)
                else:
                    size += 1
                    own += 1
            own += 1
            active.discard(key)
            sizes[key] = (size, height)
        if depth + height > MAX_DEPTH:
            raise _too_deep(source, doc)
        return size, height

    if isinstance(doc, dict | list):
        total = visit(doc, 1)[0]
        if total - own > MAX_ALIAS_NODES:
            raise ValidationError(
                f"YAML aliases (*name) expand this document from {own} to {total} nodes",
                where=source,
                fix=f"Write the values out; aliases may add at most {MAX_ALIAS_NODES} nodes.",
            )


def _too_deep(source: str, doc: Any = None) -> ValidationError:
    path = too_deep(doc, MAX_DEPTH - 1) if doc is not None else None
    return ValidationError(
        f"the YAML nests more than {MAX_DEPTH} levels deep",
        where=f"{source}: {path_text('', path)}" if path else source,
        fix="Flatten the structure (e.g. keep a deep structure as a YAML or JSON string).",
    )


_SHOWN = 6  # path segments shown on each side of the elision in an error


def too_deep(value: Any, limit: int = MAX_DEPTH) -> list[str | int] | None:
    """The path (keys and indexes) to the first mapping or list nested more than ``limit`` levels below ``value``,
    or None when ``value`` stays within the limit."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list | tuple):
            children = enumerate(item)
        else:
            continue
        if depth >= limit:
            return list(path)
        for key, child in children:
            if isinstance(child, dict | list | tuple):
                stack.append((child, depth + 1, (*path, key)))
    return None


def path_text(prefix: str, path: list[str | int]) -> str:
    """``prefix.a.b[0]...`` with the middle of a long path elided."""
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    if len(parts) > 2 * _SHOWN:
        parts = [*parts[:_SHOWN], f"…({len(parts) - 2 * _SHOWN} more levels)…", *parts[-_SHOWN:]]
    text = prefix + "".join(parts)
    return text.removeprefix(".")


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


def _pyyaml_dump_all(docs: list[Any]) -> str:
    """The reference writer: PyYAML (libyaml emitter) with the project's settings."""
    return str(
        yaml.dump_all(
            docs,
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=4096,
        )
    )


def dump(data: Any) -> str:
    """Serialise one document deterministically (insertion order, block style)."""
    return dump_all([data])


def dump_all(docs: Iterable[Any]) -> str:
    """Serialise documents as one stream; the fast writer's output is byte-identical to PyYAML's, which it
    falls back to for data it does not handle (other types, shared containers, unusual keys or scalars)."""
    items = list(docs)
    text = _yamlemit.emit(items, _pyyaml_dump_all) if _FAST else None
    return _pyyaml_dump_all(items) if text is None else text
