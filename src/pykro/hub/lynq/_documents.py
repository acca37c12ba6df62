"""Reading Lynq YAML: every document of every file, each remembered with the file it came from.

Lynq's own examples write ``replicas: {{ .apiReplicas | int }}`` without quotes, which YAML reads as a flow mapping
with a mapping for key (an error in every YAML reader). A plain value (after ``key:`` or ``-``) that starts with
``{{`` and ends the line with ``}}`` is read as the text it is written as, so such files load unchanged; the
template still decides the value's type (``int``, ``float`` and ``bool`` give numbers and booleans)."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pykro import _yamlio as yamlio
from pykro.errors import PykroError

__all__ = ["Document", "locate", "located", "read_documents"]

# ``key: {{ … }}`` or ``- {{ … }}`` (optionally both: ``- key: {{ … }}``), nothing but spaces after the ``}}``.
_BLOCK_START = re.compile(r"(?:^|:|-)\s*[|>][-+0-9]*\s*(?:#.*)?$")
_PLAIN_TEMPLATE = re.compile(r"^(?P<head>\s*(?:-\s+)*(?:[^\s'\"#{\[][^:#]*:\s+)?)(?P<value>\{\{.*\}\})\s*$")


@dataclass
class Document:
    """One YAML document of a Lynq file: its content and where it is (``file`` or ``file#2`` for the 2nd)."""

    data: Any
    file: str
    index: int
    count: int

    @property
    def where(self) -> str:
        return self.file if self.count == 1 else f"{self.file}#{self.index + 1}"


def quote_plain_templates(text: str) -> str:
    """``text`` with each unquoted ``{{ … }}`` value single-quoted (see the module docstring), never inside a block
    scalar (``|``, ``>``); lines keep their numbers, so YAML errors still point at the user's line."""
    out = []
    block: int | None = None  # indentation of the line opening the block scalar we are in
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (not line.strip() or indent > block):
            out.append(line)  # the block scalar's text: kept as written
            continue
        block = indent if _BLOCK_START.search(line) else None
        found = _PLAIN_TEMPLATE.match(line)
        if found is not None:
            value = found.group("value")
            line = found.group("head") + "'" + value.replace("'", "''") + "'"
        out.append(line)
    return "\n".join(out)


def read_documents(paths: list[Path]) -> list[Document]:
    """Every non-empty document of ``paths``, in order; a file that cannot be read or parsed stops with its name
    and line."""
    docs: list[Document] = []
    for path in paths:
        text = yamlio.read_user_file(path, what="Lynq YAML file")
        found = yamlio.load_user_all(quote_plain_templates(text), str(path))
        for i, data in enumerate(found):
            if not isinstance(data, dict):
                raise PykroError(
                    f"document {i + 1} is not a mapping (found {type(data).__name__})",
                    where=str(path),
                    fix="Each document is a LynqHub or a LynqForm (apiVersion, kind, metadata, spec).",
                )
            docs.append(Document(data, str(path), i, len(found)))
        _TEXTS[str(path)] = text
        _NODES.pop(str(path), None)
    return docs


# ------------------------------------------------------------------------------------------------ file:line
_TEXTS: dict[str, str] = {}  # the text of each file read, by name as given (for `locate`)
_NODES: dict[str, list[yaml.Node]] = {}
_WHERE = re.compile(r"^(?P<file>.+?)(?:#(?P<index>\d+))?: (?P<path>[A-Za-z_].*)$", re.S)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def locate(where: str | None) -> str | None:
    """``file: yaml.path`` (or ``file#2: yaml.path`` for a file's 2nd document) as ``file:line: yaml.path``: the
    line of the path's last key in the file (of the deepest part of it there, for a missing field); ``where`` as
    it is for a file pykro did not read or a path it cannot follow."""
    found = _WHERE.match(where or "")
    if found is None or found.group("file") not in _TEXTS:
        return where
    file, path = found.group("file"), found.group("path")
    nodes = _NODES.get(file)
    if nodes is None:
        try:
            text = quote_plain_templates(_TEXTS[file])
            nodes = [n for n in yaml.compose_all(text, Loader=_LOADER) if n is not None and not _empty(n)]
        except yaml.YAMLError:
            nodes = []
        _NODES[file] = nodes
    index = int(found.group("index") or 1) - 1
    if not 0 <= index < len(nodes):
        return where
    line = _line(nodes[index], path)
    return f"{file}:{line}: {path}"


E = TypeVar("E", bound=PykroError)


def located(error: E) -> E:
    """``error`` (a copy, of the same class) with its ``where`` given a line by `locate`."""
    where = locate(error.where)
    if where == error.where:
        return error
    out = copy.copy(error)
    out.where = where
    out.args = (out.render(),)
    return out


def _empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _line(node: yaml.Node, path: str) -> int:
    """The 1-based line of ``path`` (``a.b[2].c``) below ``node``, as deep as the document goes."""
    line = node.start_mark.line + 1
    rest = path
    while rest:
        if isinstance(node, yaml.SequenceNode) and (step := re.match(r"\[(\d+)\]", rest)) is not None:
            items: Sequence[yaml.Node] = node.value
            if int(step.group(1)) >= len(items):
                break
            node = items[int(step.group(1))]
            line, rest = node.start_mark.line + 1, rest[step.end() :]
        elif isinstance(node, yaml.MappingNode):
            rest = rest.removeprefix(".")
            keys = [
                (k, v)
                for k, v in node.value
                if isinstance(k, yaml.ScalarNode)
                and rest.startswith(str(k.value))
                and rest[len(str(k.value)) :][:1] in ("", ".", "[")
            ]
            if not keys:
                break
            key, node = max(keys, key=lambda kv: len(str(kv[0].value)))  # a key may hold dots
            line, rest = key.start_mark.line + 1, rest[len(str(key.value)) :]
        else:
            break
    return line
