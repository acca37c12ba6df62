"""The transformer reads a composition's source from its file parsed once (pykro.authoring._transform._from_file):
the nodes it hands out are exactly what the per-function reading (inspect.getsource + parse) gives, positions
included; a changed file is read again; and the nodes it adds are positioned as ast.fix_missing_locations would."""

from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pykro.authoring import _transform as tr
from pykro.errors import CompositionError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SOURCE = """

from pykro import Spec, Status, composition
from pykro.simple import ConfigMap


class S(Spec):
    name: str
    on: bool = False


class T(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="Top")
def top(spec: S) -> T:
    ConfigMap(id="cm", name=spec.name, data={"a": "IMAGE"})
    return T(ready=spec.on)


def passthrough(fn):
    return fn


@passthrough
@passthrough
def decorated(spec: S) -> None:
    if spec.on:
        ConfigMap(id="x", name=f"{spec.name}-x")


def make():
    @composition(api_version="example.com/v1", kind="Inner")
    def inner(spec: S) -> None:
        for n in [spec.name]:
            ConfigMap(id="y", name=n)

    return inner


def make_plain():
    def inner_plain(spec: S) -> None:
        ConfigMap(id="v", name=spec.name)

    return inner_plain


class Holder:
    def method(self, spec: S) -> None:
        ConfigMap(id="z", name=spec.name if spec.on else "off")


if True:
    def indented(spec: S) -> None:
        ConfigMap(
            id="w",
            name=spec.name,
        )
"""


def _load(path: Path, name: str, text: str) -> ModuleType:
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _per_function(fn: Callable[..., Any]) -> ast.FunctionDef:
    """The definition as pykro read it before: inspect.getsource, parsed, moved to the file's lines."""
    source = inspect.getsource(fn)
    indented = source[:1].isspace()
    tree = ast.parse(("if 1:\n" + source) if indented else source)
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - (2 if indented else 1))
    func = (tree.body[0].body if indented else tree.body)[0]  # type: ignore[attr-defined]
    assert isinstance(func, ast.FunctionDef)
    return func


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=True)


def test_definitions_from_the_file_equal_the_per_function_reading(tmp_path: Path) -> None:
    module = _load(tmp_path / "lookup_a.py", "lookup_a", SOURCE)
    functions = [module.decorated, module.make, module.make_plain(), module.Holder.method, module.indented]
    for fn in functions:
        fast = tr._from_file(fn)
        assert fast is not None, fn
        assert _dump(fast[0]) == _dump(_per_function(fn)), fn.__qualname__
        assert fast[1] == str(tmp_path / "lookup_a.py")
    wrapped = functools.wraps(module.passthrough)(module.decorated)  # the source of the wrapped function is read
    assert tr._from_file(wrapped) is None
    assert tr._parse(wrapped)[0].name == "passthrough"
    # each definition is handed out once (the transformer rewrites it); a second reading falls back
    assert tr._from_file(module.indented) is None
    assert _dump(tr._parse(module.indented)[0]) == _dump(_per_function(module.indented))


def test_compositions_defined_from_one_file_and_a_changed_file(tmp_path: Path) -> None:
    first = _load(tmp_path / "lookup_b.py", "lookup_b", SOURCE)
    inner = first.make()
    assert "IMAGE" in first.top.to_rgd_yaml()
    assert [r["id"] for r in inner.to_rgd()["spec"]["resources"]] == ["y"]
    # the file changes (another length, so linecache sees it) and is loaded again: the new source is read
    second = _load(tmp_path / "lookup_b.py", "lookup_b2", SOURCE.replace("IMAGE", "CHANGED-IMAGE"))
    assert "CHANGED-IMAGE" in second.top.to_rgd_yaml()


def test_a_lambda_on_a_def_line_is_not_taken_for_the_def(tmp_path: Path) -> None:
    module = _load(tmp_path / "lookup_c.py", "lookup_c", "def f(x=lambda: 1):\n    return x\n")
    default = module.f.__defaults__[0]
    assert tr._from_file(default) is None
    assert tr._from_file(module.f) is not None


def _functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


TRANSFORMED = [*sorted(EXAMPLES.glob("*.py")), *(Path(__file__).with_name(name) for name in
               ("test_compositions.py", "test_control_flow.py", "test_mistakes.py"))]  # fmt: skip


@pytest.mark.parametrize("path", TRANSFORMED, ids=lambda p: p.name)
def test_every_node_the_transformer_adds_has_the_position_fixing_would_give_it(path: Path) -> None:
    """The transformed code is compiled without a location-fixing pass: each node added carries the position of
    the node it stands for, exactly what ast.fix_missing_locations would give it."""
    transformed = 0
    for func in _functions(path):
        try:
            out = tr.Transformer(str(path)).visit(func)
        except CompositionError:  # a test of a refused construct
            continue
        fixed = copy.deepcopy(out)
        ast.fix_missing_locations(fixed)
        assert _dump(out) == _dump(fixed)
        transformed += 1
    assert transformed


def test_a_definition_asked_for_again_or_inside_a_taken_one_is_read_anew(tmp_path: Path) -> None:
    text = "def outer(spec):\n    def inner(spec):\n        if spec:\n            pass\n    return inner\n"
    module = _load(tmp_path / "lookup_d.py", "lookup_d", text)
    inner = module.outer(None)
    first = tr._from_file(module.outer)
    assert first is not None
    first[0].body.clear()  # the transformer rewrites what it is handed
    assert tr._from_file(module.outer) is None
    assert tr._from_file(inner) is None
    assert _dump(tr._parse(inner)[0]) == _dump(_per_function(inner))
    assert _dump(tr._parse(module.outer)[0]) == _dump(_per_function(module.outer))
