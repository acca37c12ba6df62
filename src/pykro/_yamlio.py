"""YAML in and out, one way for the whole project: libyaml's C loader/dumper, key order kept,
literal block style for multi-line strings, byte-identical output for identical input."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pykro import _yamlemit
from pykro.errors import ValidationError

__all__ = [
    "MAX_DEPTH",
    "Ambiguous",
    "check_keys",
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


def copy_data(value: Any) -> Any:
    """A deep copy of YAML/JSON data (dicts and lists copied, scalars shared): much faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: copy_data(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) if isinstance(v, dict | list) else v for v in value]
    return value


def load(text: str) -> Any:
    """Parse one YAML document."""
    import yaml

    from pykro._yamlpy import Loader

    return yaml.load(text, Loader=Loader)


def load_all(text: str) -> Iterator[Any]:
    """Parse every document of a multi-document stream, skipping empty ones."""
    import yaml

    from pykro._yamlpy import Loader

    for doc in yaml.load_all(text, Loader=Loader):
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
    """Every non-empty document of YAML a user wrote, read as kubectl reads it (see :func:`kube_scalar`) and
    checked: a syntax error, an integer beyond 64 bits, nesting deeper than MAX_DEPTH or aliases expanding to more
    than MAX_ALIAS_NODES extra nodes raise a ValidationError at ``source[:line:col]``."""
    import yaml

    from pykro._yamlpy import KubeLoader

    try:
        docs = [doc for doc in yaml.load_all(text, Loader=loader or KubeLoader) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "does not fit in 64 bits" in problem or "not as text" in problem:
            raise ValidationError(problem, where=where, fix="Quote it to keep it as text.") from None
        if "written twice" in problem:
            raise ValidationError(problem, where=where, fix="Keep one of them.") from None
        raise ValidationError(f"invalid YAML: {problem}", where=where, fix="Fix the YAML syntax.") from None
    for doc in docs:
        _check_tree(doc, source)
    return docs


# ---------------------------------------------------------------------------------------------- kubectl's reading
# kubectl (sigs.k8s.io/yaml over go-yaml v2) decides what a plain scalar is with its own rules (see _kubeyaml): pykro
# reads every user file the same way, refuses what it cannot keep exact (an integer beyond 64 bits, a key that is
# not text), and quotes every string it writes that kubectl would read as something else.
def _yaml12(text: str) -> Any:
    """What a YAML 1.2 (core schema) reader, such as helm's, makes of the plain scalar ``text``."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text[0] in "tT"
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"0o[0-7]+|0x[0-9a-fA-F]+", text):
        return int(text[2:], 8 if text[1] == "o" else 16)
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text):
        return float(text)
    lowered = text.lstrip("+-")
    if lowered in (".inf", ".Inf", ".INF"):
        return float("-inf") if text[0] == "-" else float("inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


class Ambiguous(str):
    """A plain YAML scalar of a spec value that kubectl and YAML 1.2 (or helm's ``--set``) read differently, kept as
    its text.

    kubectl reads ``010`` as 8, ``0b10`` as 2, ``1_000`` as 1000, ``0x10`` as 16, ``08`` as 8.0 and ``y``/``yes``/
    ``on`` as true; YAML 1.2 reads 10, a string, a string, 16 (helm's ``--set``: a string), 8 and strings. Rather
    than pick one reading silently, :func:`load_values` keeps such a scalar as this string (its text) with
    ``reading``, kubectl's value: a string field takes the text verbatim, any other field refuses it (quote it, or
    write the value plainly).
    """

    reading: Any


# Forms helm's --set reads as text whatever the YAML version says: leading zeros, 0x/0o/0b prefixes, underscores.
_HELM_TEXT = re.compile(r"[-+]?(0[0-9_]+|0[xobXOB].*|.*_.*)")


def _ambiguous(text: str, value: Any) -> bool:
    if isinstance(value, str) or value is None:
        return False
    other = _yaml12(text)
    same = type(other) is type(value) and (other == value or (value != value and other != other))
    return not same or (not isinstance(value, bool) and bool(_HELM_TEXT.fullmatch(text)))


def load_values(text: str, source: str) -> Any:
    """One document of spec values a user wrote (a values file, a ``--set`` value), checked like ``load_user``;
    scalars kubectl and YAML 1.2 read differently come back as :class:`Ambiguous` for the spec check to decide."""
    from pykro._yamlpy import ValuesLoader

    return load_user(text, source, loader=ValuesLoader)


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
    if not _deeper_than(value, limit):
        return None
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


def check_keys(data: Mapping[Any, Any], known: Sequence[str], where: str) -> None:
    """Stop at the first key of a user's mapping that is not in ``known``, naming its path and the closest key."""
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            fix = f"Did you mean `{close[0]}`?" if close else f"Known keys: {', '.join(known)}."
            raise ValidationError(f"unknown key `{key}`", where=f"{where}.{key}", fix=fix)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether some mapping or list sits more than ``limit`` levels below ``value``: one pass, level by level, with
    no paths (:func:`too_deep` then finds the path only for data that crosses the limit)."""
    containers = (dict, list, tuple)  # a tuple of types: faster in isinstance than a union
    level = [value] if isinstance(value, containers) else []
    depth = 0
    while level:
        if depth >= limit:
            return True
        below: list[Any] = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, containers):
                    below.append(child)
        level = below
        depth += 1
    return False


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
    from pykro import _yamlpy

    return _yamlpy.dump_all(docs)


def dump(data: Any) -> str:
    """Serialise one document deterministically (insertion order, block style)."""
    return dump_all([data])


def dump_all(docs: Iterable[Any]) -> str:
    """Serialise documents as one stream; the fast writer's output is byte-identical to PyYAML's, which it
    falls back to for data it does not handle (other types, shared containers, unusual keys or scalars)."""
    items = list(docs)
    text = _yamlemit.emit(items, _pyyaml_dump_all) if _yamlemit.libyaml() else None
    return _pyyaml_dump_all(items) if text is None else text
