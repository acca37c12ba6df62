"""A fast block-style YAML writer for JSON-shaped data, byte-identical to yamlio's PyYAML/libyaml dumper.

Only exact ``dict`` (str keys), ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None`` are written here.
Scalars are rendered once and cached: printable-ASCII single-line strings by libyaml's own rules (analyze_scalar,
select_scalar_style: plain or single-quoted) and PyYAML's implicit-resolver table; any other string (non-ASCII,
control characters, line breaks) is rendered by the reference dumper itself and cut out of a one-item sequence.
Whatever could depend on where it stands (multi-line keys, keys over 128 bytes, unicode line separators, lines
long enough to be folded at width 4096), shared or recursive containers (PyYAML writes anchors), other types and
top-level scalars make ``emit`` return ``None``: the caller then dumps the whole stream with PyYAML.

What the writer needs to know of PyYAML (whether it has libyaml, and its implicit resolvers: how it reads a plain
scalar) is read from the installed PyYAML once and kept in a disk cache named by the digest of PyYAML's files
(:func:`pyyaml_facts`), so that writing YAML does not import PyYAML (~10 ms per command) unless a document needs it.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pykro import _diskcache
from pykro._kubeyaml import is_text

Reference = Callable[[list[Any]], str]
"""The reference dumper: PyYAML's ``dump_all`` with yamlio's settings."""

# A literal block: its header ("|", "|-", "|2+", ...) and its lines without indentation ("" for an empty line).
_Block = tuple[str, tuple[str, ...]]

_MAX_SCALAR = 2000  # longest single-line rendering kept: with _MAX_INDENT and a 128-byte key, no line nears 4096
_MAX_INDENT = 1800
_MAX_KEY_BYTES = 128  # libyaml writes longer keys as complex "? " keys
_CACHE_LIMIT = 200_000  # entries per cache before it is emptied (bounded memory for long-running processes)
_UNSAFE = ""  # cached marker: this string needs the whole-document fallback (a real rendering is never empty)

_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+").fullmatch
_INDICATORS_FIRST = frozenset("#,[]{}&*!|>'\"%@`")  # libyaml: these never start a plain scalar
# PyYAML's implicit resolvers by first character, compiled when a string starting with it is first written.
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_LINE_SEPARATORS = ("\n", "\r", "\x85", "\u2028", "\u2029")

_VALUES: dict[str, str | _Block] = {}
_KEYS: dict[str, str] = {}


class _Fallback(Exception):
    """Raised inside the writer when the document must be dumped by PyYAML."""


def _implicit_tag(text: str) -> str:
    """The tag PyYAML's resolver gives ``text`` written as a plain scalar (its exact lookup, on its own table)."""
    for tag, regexp in _resolvers(text[0] if text else "") + _resolvers(None):
        if regexp.match(text):
            return tag
    return _STR_TAG


def _resolvers(first: str | None) -> list[tuple[str, re.Pattern[str]]]:
    found = _RESOLVERS.get(first)
    if found is None:
        rows = pyyaml_facts()[1].get(first, ())
        found = _RESOLVERS[first] = [(tag, re.compile(pattern, flags)) for tag, pattern, flags in rows]
    return found


def _ascii_plain(text: str) -> bool:
    """libyaml's analyze_scalar + select_scalar_style for a non-empty printable-ASCII string in block context:
    True when it is written plain (else it is written single-quoted)."""
    first = text[0]
    if first in _INDICATORS_FIRST or first == " " or text[-1] in ": ":
        return False
    if first in "?:-" and (len(text) == 1 or text[1] == " "):
        return False
    if text.startswith(("---", "...")) or ": " in text or " #" in text:
        return False
    return _implicit_tag(text) == _STR_TAG and is_text(text)  # plain only if PyYAML and kubectl read it as text


def _render(text: str, reference: Reference) -> str | _Block:
    """How ``text`` is written as a mapping value or sequence item; ``_UNSAFE`` when that depends on the context."""
    if len(text) <= _MAX_SCALAR and _PRINTABLE_ASCII(text) is not None:
        return text if _ascii_plain(text) else "'" + text.replace("'", "''") + "'"
    out = reference([[text]])
    if not out.startswith("- "):  # pragma: no cover - a one-item sequence always starts so
        return _UNSAFE
    body = out[2:]
    if body.startswith("|"):
        header, _, rest = body.partition("\n")
        if "+" in header:
            rest = rest.removesuffix("...\n")  # libyaml ends a stream after a kept final break with "..."
        lines = rest[:-1].split("\n")
        if "\u2028" in rest or "\u2029" in rest or any(line and not line.startswith("  ") for line in lines):
            return _UNSAFE
        return header, tuple(line[2:] for line in lines)
    scalar = body[:-1]
    if len(scalar) > _MAX_SCALAR or any(sep in scalar for sep in _LINE_SEPARATORS):
        return _UNSAFE
    return scalar


def _value(text: str, reference: Reference) -> str | _Block:
    if text in _VALUES:  # cached as unsafe
        raise _Fallback
    if len(_VALUES) >= _CACHE_LIMIT:
        _VALUES.clear()
    rendered = _VALUES[text] = _render(text, reference)
    if not rendered:
        raise _Fallback
    return rendered


def _key(text: str, reference: Reference) -> str:
    """The rendered key followed by ":"; raises _Fallback for keys libyaml writes as complex keys."""
    if text in _KEYS:
        raise _Fallback
    if len(_KEYS) >= _CACHE_LIMIT:
        _KEYS.clear()
    rendered = _VALUES.get(text)
    if rendered is None:
        rendered = _render(text, reference)
    simple = (
        isinstance(rendered, str)
        and rendered
        and not any(sep in text for sep in _LINE_SEPARATORS)
        and len(text.encode("utf-8")) <= _MAX_KEY_BYTES
    )
    result = _KEYS[text] = f"{rendered}:" if simple else _UNSAFE
    if not result:
        raise _Fallback
    return result


def _float(value: float) -> str:
    """PyYAML's SafeRepresenter.represent_float text, if it resolves back to a float when written plain."""
    if math.isnan(value):
        text = ".nan"
    elif math.isinf(value):
        text = ".inf" if value > 0 else "-.inf"
    else:
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
    if _implicit_tag(text) != _FLOAT_TAG:
        raise _Fallback
    return text


class _Writer:
    """Writes one document's block collections into ``out``."""

    __slots__ = ("keep", "out", "reference", "seen")

    def __init__(self, reference: Reference) -> None:
        self.out: list[str] = []
        self.seen: set[int] = set()
        self.keep = False  # the last literal block kept its final breaks ("|+"): libyaml then ends with "..."
        self.reference = reference

    def block(self, head: str, rendered: _Block, indent: str) -> None:
        header, lines = rendered
        self.keep = "+" in header
        self.out.append(f"{head}{header}\n")
        self.out.extend(f"{indent}{line}\n" if line else "\n" for line in lines)

    def mapping(self, data: dict[Any, Any], indent: str, prefix: str) -> None:
        """Write ``data`` with its keys at ``indent``; the first line starts with ``prefix`` (none after "- ")."""
        append = self.out.append
        seen = self.seen
        reference = self.reference
        keys = _KEYS.get
        values = _VALUES.get
        inner = indent + "  "
        if len(inner) > _MAX_INDENT:
            raise _Fallback
        for k, v in data.items():
            if type(k) is not str:
                raise _Fallback
            key = keys(k) or _key(k, reference)
            t = type(v)
            if t is str:
                text = values(v) or _value(v, reference)
                if type(text) is str:
                    append(f"{prefix}{key} {text}\n")
                else:
                    self.block(f"{prefix}{key} ", text, inner)  # type: ignore[arg-type]
            elif t is dict or t is list:
                ident = id(v)
                if ident in seen:
                    raise _Fallback
                seen.add(ident)
                if not v:
                    append(f"{prefix}{key} {{}}\n" if t is dict else f"{prefix}{key} []\n")
                elif t is dict:
                    append(f"{prefix}{key}\n")
                    self.mapping(v, inner, inner)
                else:
                    append(f"{prefix}{key}\n")
                    self.sequence(v, indent, indent)  # block sequences under a key are not indented
            elif t is int:
                append(f"{prefix}{key} {v}\n")
            else:
                append(f"{prefix}{key} {_scalar(v, t)}\n")
            prefix = indent

    def sequence(self, data: list[Any], indent: str, prefix: str) -> None:
        """Write ``data`` with its dashes at ``indent``; the first line starts with ``prefix``."""
        append = self.out.append
        seen = self.seen
        values = _VALUES.get
        inner = indent + "  "
        if len(inner) > _MAX_INDENT:
            raise _Fallback
        for v in data:
            t = type(v)
            if t is str:
                text = values(v) or _value(v, self.reference)
                if type(text) is str:
                    append(f"{prefix}- {text}\n")
                else:
                    self.block(f"{prefix}- ", text, inner)  # type: ignore[arg-type]
            elif t is dict or t is list:
                ident = id(v)
                if ident in seen:
                    raise _Fallback
                seen.add(ident)
                if not v:
                    append(f"{prefix}- {{}}\n" if t is dict else f"{prefix}- []\n")
                elif t is dict:
                    append(f"{prefix}- ")
                    self.mapping(v, inner, "")
                else:
                    append(f"{prefix}- ")
                    self.sequence(v, inner, "")
            elif t is int:
                append(f"{prefix}- {v}\n")
            else:
                append(f"{prefix}- {_scalar(v, t)}\n")
            prefix = indent


def _scalar(value: Any, kind: type) -> str:
    """A non-string scalar's plain text, as SafeRepresenter writes it."""
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    raise _Fallback


def _pyyaml_read() -> dict[str, Any]:
    """What the writer needs of the installed PyYAML, read from PyYAML itself (this imports it)."""
    import yaml

    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    rows = [[first, [[tag, regexp.pattern, regexp.flags] for tag, regexp in found]] for first, found in table.items()]
    return {"libyaml": hasattr(yaml, "CSafeDumper"), "resolvers": rows}


@functools.cache
def pyyaml_facts() -> tuple[bool, dict[Any, list[tuple[str, str, int]]]]:
    """Whether PyYAML has libyaml (the fast writer reproduces libyaml's emitter only) and PyYAML's implicit
    resolvers (first character -> (tag, pattern, flags) in PyYAML's order), cached on disk in a folder named by the
    digest of PyYAML's resolver and package modules, under a name made of its file names (libyaml present or not);
    read from PyYAML itself when there is no cache."""
    spec = importlib.util.find_spec("yaml")
    where = _diskcache.root("pyyaml")
    name = "facts"
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - PyYAML is a dependency
        where = None
    else:
        package = Path(next(iter(spec.submodule_search_locations)))
        try:
            files = " ".join(sorted(os.listdir(package)))
        except OSError:
            where = None
        else:
            name = f"facts-{zlib.crc32(files.encode()):08x}"
            where = _diskcache.folder(where, package / "resolver.py", package / "__init__.py")
    facts = _diskcache.cached(where, name, _pyyaml_read)
    table = {first: [(tag, pattern, flags) for tag, pattern, flags in found] for first, found in facts["resolvers"]}
    return bool(facts["libyaml"]), table


def libyaml() -> bool:
    """Whether PyYAML writes with libyaml: the fast writer is used only then (it reproduces libyaml's output)."""
    return pyyaml_facts()[0]


def emit(docs: list[Any], reference: Reference) -> str | None:
    """The YAML stream for ``docs`` exactly as ``reference`` writes it, or None when only ``reference`` can."""
    parts: list[str] = []
    keep = False
    try:
        for index, doc in enumerate(docs):
            kind = type(doc)
            if kind is not dict and kind is not list:
                return None
            if not doc:
                flow = "{}" if kind is dict else "[]"
                parts.append(f"--- {flow}\n" if index else f"{flow}\n")
                keep = False
                continue
            if index:
                parts.append("---\n")
            writer = _Writer(reference)
            writer.seen.add(id(doc))
            if kind is dict:
                writer.mapping(doc, "", "")
            else:
                writer.sequence(doc, "", "")
            parts.extend(writer.out)
            keep = writer.keep
    except _Fallback:
        return None
    except RecursionError:
        return None
    if keep:
        parts.append("...\n")
    return "".join(parts)
