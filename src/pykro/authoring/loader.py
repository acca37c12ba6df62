"""Find a composition in a Python file (``FILE[:NAME]``) and build a spec from ``--set k=v`` and values files
(shared by `pykro render` and `pykro deploy`)."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, SecretStr

from pykro import yamlio
from pykro.authoring.decorator import Composition
from pykro.errors import PykroError, read_text, yaml_error
from pykro.schema.models import find_field, unwrap


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


def _raised_at(exc: BaseException, path: Path) -> str:
    """``file:line`` of the innermost frame of ``exc``'s traceback in the user's file (else any user frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if Path(f.filename).resolve() == path.resolve()]
    chosen = mine or list(frames)
    return f"{chosen[-1].filename}:{chosen[-1].lineno}" if chosen else str(path)


def _field_is_text(model: type[BaseModel] | None, path: list[str]) -> bool:
    """True when ``path`` names a string field of ``model`` (its --set value is kept as written)."""
    annotation: Any = model
    for key in path:
        current = unwrap(annotation)
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        found = find_field(current, key)
        if found is None:
            return False
        annotation = found[1].annotation
    inner = unwrap(annotation)
    if get_origin(inner) is not None and get_args(inner):
        return all(isinstance(a, str) for a in get_args(inner))
    return inner is str or inner is SecretStr


def spec_from_options(model: type[BaseModel], sets: list[str], files: list[Path]) -> dict[str, Any]:
    """Merge values files (in order) and ``k.sub=v`` assignments (YAML scalars; kept as text for string fields)."""
    values: dict[str, Any] = {}
    for file in files:
        text = read_text(file, what="values file")
        try:
            loaded = yamlio.load(text)
        except Exception as exc:  # PyYAML's error types, raised through yamlio
            raise yaml_error(exc, str(file)) from None
        if not isinstance(loaded, dict):
            raise PykroError("a values file must be a YAML mapping", where=str(file), fix="Write key: value lines.")
        merge_values(values, loaded)
    for item in sets:
        set_value(values, item, model)
    return values


def set_value(values: dict[str, Any], assignment: str, model: type[BaseModel] | None = None) -> None:
    """Apply one ``a.b=v``: ``v`` is a YAML scalar, kept as written when ``model`` says the field is a string."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key:
        raise PykroError(f"--set {assignment!r} is not KEY=VALUE", where="--set", fix="E.g. --set replicas=3.")
    path = key.split(".")
    value: Any = raw if _field_is_text(model, path) else yamlio.load(raw) if raw else ""
    target = values
    for part in path[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise PykroError(f"--set {key}: {part} is not a mapping", where="--set", fix="Set a field of a mapping.")
    target[path[-1]] = value


def merge_values(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge ``extra`` into ``base`` (mappings merge, everything else replaces)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_values(base[key], value)
        else:
            base[key] = value
