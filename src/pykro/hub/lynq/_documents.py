"""Reading Lynq YAML: every document of every file, each remembered with the file it came from.

Lynq's own examples write ``replicas: {{ .apiReplicas | int }}`` without quotes, which YAML reads as a flow mapping
with a mapping for key (an error in every YAML reader). A plain value (after ``key:`` or ``-``) that starts with
``{{`` and ends the line with ``}}`` is read as the text it is written as, so such files load unchanged; the
template still decides the value's type (``int``, ``float`` and ``bool`` give numbers and booleans)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.errors import PykroError

__all__ = ["Document", "read_documents"]

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
    return docs
