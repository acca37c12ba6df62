"""YAML in and out, one way for the whole project: libyaml's C loader/dumper, key order kept,
literal block style for multi-line strings, byte-identical output for identical input."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from pykro import _yamlemit

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
