"""Find a composition in a Python file (``FILE[:NAME]``); building a spec from ``--set k=v`` and values files
(shared by `pykro render` and `pykro deploy`) is ``pykro.runtime._values``."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from pykro.authoring._decorator import Composition
from pykro.errors import PykroError


def load_composition(target: str) -> Composition:
    """The composition named ``NAME`` in ``FILE`` (``FILE:NAME``), or the only one the file defines."""
    path_text, _, name = target.partition(":") if not Path(target).exists() else (target, "", "")
    path = Path(path_text)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        raise PykroError(what, where=target, fix="Give the path of a .py file (FILE[:NAME]).")
    found = compositions_in(path)
    if name:
        if name not in found:
            raise PykroError(
                f"this file has no composition named {name!r}",
                where=str(path),
                fix=f"Compositions in it: {', '.join(sorted(found)) or 'none'}.",
            )
        return found[name]
    if not found:
        raise PykroError(
            "this file defines no composition",
            where=str(path),
            fix="Define one at module level: @composition(api_version=..., kind=...) on a function.",
        )
    if len(found) > 1:
        raise PykroError(
            f"this file defines {len(found)} compositions",
            where=str(path),
            fix=f"Pick one with FILE:NAME ({', '.join(sorted(found))}).",
        )
    return next(iter(found.values()))


def compositions_in(path: Path) -> dict[str, Composition]:
    """The compositions a Python file defines at module level, by variable name (the file is imported once per
    call; errors in it are PykroErrors at its file:line)."""
    module = import_user_file(path)
    return {key: value for key, value in vars(module).items() if isinstance(value, Composition)}


def import_user_file(path: Path, prefix: str = "pykro_render") -> ModuleType:
    """Import a user's Python file as a module of its own (its folder importable while it runs): a syntax error,
    a file that is not text, or an exception it raises is a PykroError at the user's file:line."""
    module_name = f"{prefix}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PykroError(f"cannot import {path}", where=str(path), fix="Give a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except PykroError:
        raise
    except SyntaxError as exc:  # also a file that is not UTF-8 text, or holds NUL bytes
        where = f"{exc.filename or path}:{exc.lineno}" if exc.lineno else str(path)
        raise PykroError(
            f"not valid Python: {exc.msg}", where=where, fix="Fix the syntax (the file must be Python source)."
        ) from None
    except Exception as exc:  # the user's module raised while it was imported
        raise PykroError(
            f"importing {path} raised {type(exc).__name__}: {exc}",
            where=_raised_at(exc, path),
            fix="Fix the code at that line.",
        ) from None
    finally:
        sys.path.pop(0)
    return module


def _raised_at(exc: BaseException, path: Path) -> str:
    """``file:line`` of the innermost frame of ``exc``'s traceback in the user's file (else any user frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if Path(f.filename).resolve() == path.resolve()]
    chosen = mine or list(frames)
    return f"{chosen[-1].filename}:{chosen[-1].lineno}" if chosen else str(path)


__all__ = ["compositions_in", "import_user_file", "load_composition"]
