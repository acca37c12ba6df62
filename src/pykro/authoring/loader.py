"""Find a composition in a Python file (``FILE[:NAME]``); building a spec from ``--set k=v`` and values files
(shared by `pykro render` and `pykro deploy`) is ``pykro.runtime.values``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from pykro.authoring.decorator import Composition
from pykro.errors import PykroError


def load_composition(target: str) -> Composition:
    """The composition named ``NAME`` in ``FILE`` (``FILE:NAME``), or the only one the file defines."""
    path_text, _, name = target.partition(":") if not Path(target).exists() else (target, "", "")
    path = Path(path_text)
    if not path.is_file():
        raise PykroError(f"no such file: {path}", where=target, fix="Give the path of a .py file (FILE[:NAME]).")
    module_name = f"pykro_render_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PykroError(f"cannot import {path}", where=str(path), fix="Give a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    found = {key: value for key, value in vars(module).items() if isinstance(value, Composition)}
    if name:
        if name not in found:
            raise PykroError(
                f"{path} has no composition named {name!r}",
                where=str(path),
                fix=f"Compositions in it: {', '.join(sorted(found)) or 'none'}.",
            )
        return found[name]
    if len(found) != 1:
        raise PykroError(
            f"{path} defines {len(found)} compositions",
            where=str(path),
            fix=f"Pick one with FILE:NAME ({', '.join(sorted(found)) or 'none defined'}).",
        )
    return next(iter(found.values()))


__all__ = ["load_composition"]
