"""The transformer reads a composition's source from its file parsed once (pykro.authoring._transform._from_file):
the nodes it hands out are exactly what the per-function reading (inspect.getsource + parse) gives, positions
included; a changed file is read again; and its location fixing equals ast.fix_missing_locations."""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import sys
import textwrap
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


@pytest.mark.parametrize("path", [*sorted(EXAMPLES.glob("*.py")), Path(__file__).with_name("test_compositions.py")],
                         ids=lambda p: p.name)  # fmt: skip
def test_fixing_locations_equals_the_standard_library(path: Path) -> None:
    a, b = _functions(path), _functions(path)
    assert a
    for one, two in zip(a, b, strict=True):
        try:
            one = tr.Transformer(str(path)).visit(one)
        except CompositionError:  # a test of a refused construct
            continue
        two = tr.Transformer(str(path)).visit(two)
        ast.fix_missing_locations(one)
        tr.fix_locations(two)
        assert _dump(one) == _dump(two)


def test_fixing_locations_fills_a_new_subtree_from_its_parent() -> None:
    tree = ast.parse(textwrap.dedent("x = f(1)\n"))
    call = tree.body[0].value  # type: ignore[attr-defined]
    call.args.append(ast.Call(func=ast.Name(id="g", ctx=ast.Load()), args=[], keywords=[]))
    expected = ast.parse(textwrap.dedent("x = f(1)\n"))
    expected.body[0].value.args.append(  # type: ignore[attr-defined]
        ast.Call(func=ast.Name(id="g", ctx=ast.Load()), args=[], keywords=[])
    )
    ast.fix_missing_locations(expected)
    tr.fix_locations(tree)
    assert _dump(tree) == _dump(expected)


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
