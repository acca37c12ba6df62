"""Python statements in a composition: each is translated with Python's meaning (checked by running the emitted
graph through pykro's kro runtime for both values of the condition) or refused at the user's file:line with the
construct and what to write instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from pykro import Spec, Status, composition
from pykro.errors import CompositionError
from pykro.runtime import reconcile_passes, simulate_ready
from pykro.simple import ConfigMap

FILE = str(Path(__file__).resolve())
SOURCE = Path(__file__).read_text(encoding="utf-8").splitlines()


class S(Spec):
    name: str = "app"
    expose: bool = False
    public: bool = False
    big: bool = False
    tier: str = "dev"
    tags: list[str] = Field(default_factory=list)


class Out(Status):
    url: str = ""
    n: int = 0
    extra: str = ""


def line_of(marker: str) -> int:
    tag = f"# L:{marker}"
    return next(i for i, text in enumerate(SOURCE, start=1) if text.rstrip().endswith(tag))


def expect(fn: Callable[..., Any], marker: str, *fragments: str) -> None:
    """Compiling ``fn`` fails at the marked line with every fragment in the message."""
    with pytest.raises(CompositionError) as info:
        _ = composition(api_version="v1alpha1", kind="T")(fn).graph
    err = info.value
    assert err.where is not None and err.where.startswith(f"{FILE}:{line_of(marker)}:"), (err.where, str(err))
    for fragment in fragments:
        assert fragment in str(err), (fragment, str(err))


def run(fn: Callable[..., Any], **spec: Any) -> dict[str, Any]:
    """The instance status and objects (by name) of ``fn``'s graph for ``spec``, resolved by the runtime."""
    comp = composition(api_version="v1alpha1", kind="T")(fn)
    instance = {"apiVersion": "kro.run/v1alpha1", "kind": "T", "metadata": {"name": "t"}, "spec": spec}
    result = reconcile_passes(comp.graph, instance, simulate_ready)
    status = {k: v for k, v in result.status.items() if k not in ("state", "conditions")}
    return {"status": status, "objects": {o["metadata"]["name"]: o.get("data") for o in result.objects}}


def python(fn: Callable[..., Any], **spec: Any) -> Any:
    """``fn`` run as plain Python on a concrete spec (outside a composition nothing is symbolic)."""
    return fn(S(**spec))


# ------------------------------------------------------------------------------------------------ translated
def with_default(spec: S) -> Out:
    url = "internal"
    if spec.expose:
        url = f"https://{spec.name}.example.com"
    return Out(url=url)


def elif_chain(spec: S) -> Out:
    url = "none"
    n = 1
    if spec.tier == "prod":
        url = "p"
        n = 3
    elif spec.tier == "staging":
        url = "s"
    elif spec.expose:
        n += 10
    else:
        url = url + "-dev"
    return Out(url=url, n=n)


def nested(spec: S) -> Out:
    url = "private"
    n = 1
    if spec.expose:
        n = 2
        if spec.public:
            url = "public"
            n *= 5
        else:
            n += 1
    return Out(url=url, n=n)


def else_starts_from_before(spec: S) -> Out:
    url = "a"
    if spec.expose:
        url = "b"
        extra = "then"
    else:
        extra = url + "!"  # Python reads the value before the if, not the one the other branch assigned
    return Out(url=url, extra=extra)


def branch_local_values(spec: S) -> Out:
    url = "none"
    if spec.expose:
        data = {"host": spec.name}
        data["port"] = "80"  # a value made in the branch may be changed in it
        ConfigMap(id="exposed", name="exposed", data=data)
        url = data["host"]
    return Out(url=url)


CASES = [
    {"expose": e, "public": p, "tier": t}
    for e in (False, True)
    for p in (False, True)
    for t in ("dev", "staging", "prod")
]


@pytest.mark.parametrize("fn", [with_default, elif_chain, nested, else_starts_from_before])
@pytest.mark.parametrize("spec", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_assignments_under_ifs_keep_pythons_meaning(fn: Callable[..., Out], spec: dict[str, Any]) -> None:
    expected = python(fn, **spec).model_dump(by_alias=True)
    assert run(fn, **spec)["status"] == expected


@pytest.mark.parametrize("expose", [False, True])
def test_values_made_inside_a_branch(expose: bool) -> None:
    got = run(branch_local_values, expose=expose, name="web")
    assert got["status"] == {"url": "web" if expose else "none", "n": 0, "extra": ""}
    assert got["objects"].get("exposed") == ({"host": "web", "port": "80"} if expose else None)


def test_if_with_default_compiles_to_a_conditional() -> None:
    graph = composition(api_version="v1alpha1", kind="T")(with_default).graph
    assert graph.status["url"] == '${schema.spec.expose ? "https://" + schema.spec.name + ".example.com" : "internal"}'


def test_a_resource_in_one_branch_stays_usable_after_it() -> None:
    def f(spec: S) -> Out:
        if spec.expose:
            cm = ConfigMap(id="cm", name="cm", data={"a": "b"})
        return Out(extra=cm.data["a"] if spec.expose else "")

    assert run(f, expose=True)["status"]["extra"] == "b"
    assert run(f, expose=False)["status"]["extra"] == ""


def test_a_loop_body_builds_a_foreach_and_may_reuse_its_own_names() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:
            name = f"{spec.name}-{tag}"
            ConfigMap(id="perTag", name=name, data={"tag": tag, "name": name})

    objects = run(f, tags=["a", "b"], name="x")["objects"]
    assert objects == {"x-a": {"tag": "a", "name": "x-a"}, "x-b": {"tag": "b", "name": "x-b"}}


def test_match_and_assert_on_plain_values_run_as_python() -> None:
    mode = "fast"

    def f(spec: S) -> Out:
        assert mode == "fast"
        match mode:
            case "fast":
                url = "f"
            case _:
                url = "s"
        return Out(url=url)

    assert run(f)["status"]["url"] == "f"


# ------------------------------------------------------------------------------------------------ refused
def test_value_assigned_in_one_branch_only_is_refused_where_used() -> None:
    def f(spec: S) -> Out:
        if spec.expose:
            url = "x"
        return Out(url=url)  # L:one-branch

    expect(
        f, "one-branch", "`url` is only assigned when the condition of the `if`", "is true", "Assign `url` a default"
    )


def test_value_assigned_in_one_branch_only_is_fine_when_unused() -> None:
    def f(spec: S) -> None:
        if spec.expose:
            label = "x"
            ConfigMap(id="cm", name="cm", data={"l": label})

    assert run(f, expose=True)["objects"] == {"cm": {"l": "x"}}


def test_try_is_refused() -> None:
    def f(spec: S) -> None:
        try:  # L:try
            ConfigMap(name="x", data={})
        except ValueError:
            ConfigMap(name="y", data={})

    expect(f, "try", "try/except in a composition", "except branch would never take effect", "Remove the try")


def test_global_and_nonlocal_are_refused() -> None:
    def f(spec: S) -> None:
        global COUNTER  # L:global
        ConfigMap(name="x", data={})

    expect(f, "global", "global/nonlocal", "Return values instead")

    def g(spec: S) -> None:
        total = 0

        def add() -> None:
            nonlocal total  # L:nonlocal
            total += 1

        add()

    expect(g, "nonlocal", "global/nonlocal")


def test_raise_and_assert_inside_an_if_on_a_reference_are_refused() -> None:
    def f(spec: S) -> None:
        if spec.big:  # L:raise
            raise ValueError("too big")

    expect(f, "raise", "`raise` inside an `if` on a reference", "move the `raise` out")

    def g(spec: S) -> None:
        if spec.big:  # L:assert-if
            assert spec.name != ""

    expect(g, "assert-if", "`assert` inside an `if` on a reference")


def test_assert_and_match_on_a_reference_are_refused() -> None:
    def f(spec: S) -> None:
        assert spec.name != ""  # L:assert

    expect(f, "assert", "`assert` on the reference")

    def g(spec: S) -> None:
        match spec.tier:  # L:match
            case "prod":
                ConfigMap(name="x", data={})

    expect(g, "match", "`match` on the reference schema.spec.tier")


def test_in_place_changes_inside_an_if_on_a_reference_are_refused() -> None:
    def f(spec: S) -> None:
        labels = {"app": spec.name}
        if spec.expose:
            labels["exposed"] = "yes"  # L:setitem
        ConfigMap(name="x", data=labels)

    expect(f, "setitem", "changes a value in place", "labels = {**labels, 'k': v}")

    def g(spec: S) -> None:
        names: list[str] = []
        if spec.expose:
            pass
        else:
            names.append("internal")  # L:append
        ConfigMap(name="x", data={"n": ",".join(names)})

    expect(g, "append", "changes a value in place (.append())")

    def h(spec: S) -> None:
        url = "x"
        if spec.expose:
            del url  # L:del

    expect(h, "del", "deletes a name or an item")


def test_value_assigned_in_a_loop_over_a_reference_is_refused_after_it() -> None:
    def f(spec: S) -> Out:
        for tag in spec.tags:
            last = tag
        return Out(url=last)  # L:after-loop

    expect(f, "after-loop", "`last` is assigned inside the `for` over a reference list", "no single value")

    def g(spec: S) -> Out:
        for tag in spec.tags:
            ConfigMap(id="perTag", name=f"x-{tag}", data={})
        return Out(url=tag)  # L:loop-var-after

    expect(g, "loop-var-after", "`tag` is assigned inside the `for`")


def test_values_carried_between_iterations_are_refused() -> None:
    def f(spec: S) -> Out:
        total = 0
        for tag in spec.tags:
            total += len(tag)  # L:carried
        return Out(n=total)

    expect(f, "carried", "`total` is carried from one iteration to the next", "len(xs), sum(...)")

    def g(spec: S) -> None:
        prefix = "a"
        for tag in spec.tags:
            ConfigMap(id="perTag", name=f"{prefix}-{tag}", data={})  # L:carried-read
            prefix = tag

    expect(g, "carried-read", "`prefix` is carried")


def test_in_place_changes_in_a_loop_over_a_reference_are_refused() -> None:
    def f(spec: S) -> None:
        names = []
        for tag in spec.tags:
            names.append(tag)  # L:loop-append
        ConfigMap(name="x", data={"n": ",".join(names)})

    expect(f, "loop-append", "runs once to build a forEach", "[x.name for x in xs]")


def test_dict_and_set_comprehensions_over_a_reference_are_refused() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={t: t for t in spec.tags})  # L:dictcomp

    expect(f, "dictcomp", "cannot iterate over the reference schema.spec.tags in a dict comprehension")

    def g(spec: S) -> None:
        ConfigMap(name="x", data={"a": ",".join({t for t in spec.tags})})  # L:setcomp

    expect(g, "setcomp", "in a set comprehension", "[f(x) for x in xs if p(x)]")


class Labelled(Spec):
    labels: dict[str, str] = Field(default_factory=dict)


def test_a_comprehension_over_a_map_takes_its_keys_sorted() -> None:
    """CEL does not order a map's keys (kro's cel-go iterates a Go map): the keys are sorted first, so the list is
    the same on every reconcile."""

    def f(spec: Labelled) -> None:
        ConfigMap(id="cm", name="cm", data={"v": ",".join([k + "=" + spec.labels[k] for k in spec.labels if k != "c"])})

    comp = composition(api_version="v1alpha1", kind="T")(f)
    data = comp.graph.resource("cm").template["data"]  # type: ignore[index]
    assert data["v"].startswith('${schema.spec.labels.map(k, k).sort().filter(k, k != "c").map(k, ')
    objects = comp.to_manifests({"labels": {"z": "1", "c": "2", "a": "3"}})
    assert objects[0]["data"] == {"v": "a=3,z=1"}


def test_comprehensions_over_plain_values_run_as_python() -> None:
    def f(spec: S) -> None:
        ConfigMap(id="cm", name="cm", data={k: f"{k}-{spec.name}" for k in ("a", "b") if k != "b"})

    assert run(f, name="n")["objects"] == {"cm": {"a": "a-n"}}


def test_a_resource_reading_one_an_if_may_exclude_must_be_under_that_if() -> None:
    def f(spec: S) -> None:
        if spec.expose:
            svc = ConfigMap(id="svc", name="svc", data={"a": "b"})
        ConfigMap(id="reader", name="reader", data={"a": svc.data["a"]})  # L:contagion

    expect(f, "contagion", "resource 'reader' reads 'svc'", "`schema.spec.expose` is false", "skip 'reader' as well")

    def g(spec: S) -> None:
        if spec.expose:
            outer = ConfigMap(id="outer", name="outer", data={"a": "b"})
            if spec.public:
                inner = ConfigMap(id="inner", name="inner", data={"a": outer.data["a"]})
            ConfigMap(id="late", name="late", data={"a": inner.data["a"]})  # L:contagion-nested

    expect(g, "contagion-nested", "resource 'late' reads 'inner'", "`schema.spec.public` is false")

    def h(spec: S) -> None:
        if spec.expose:
            svc = ConfigMap(id="svc", name="svc", data={"a": "b"})
            ConfigMap(id="reader", name="reader", data={"a": svc.data["a"]})

    assert run(h, expose=True)["objects"] == {"svc": {"a": "b"}, "reader": {"a": "b"}}
    assert run(h, expose=False)["objects"] == {}


def _elif_chain(tmp_path: Path, branches: int) -> Any:
    import importlib.util

    lines = ["from pykro import Spec, composition", "class T(Spec):", "    tier: str = 'a'"]
    lines += ["@composition(api_version='v1alpha1', kind='Long')", "def long(spec: T) -> dict:", "    v = 'none'"]
    for i in range(branches):
        lines += [f"    {'if' if i == 0 else 'elif'} spec.tier == 't{i}':", f"        v = 'v{i}'"]
    lines += ["    return {'v': v}"]
    path = tmp_path / f"chain{branches}.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"chain{branches}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.long


def test_a_long_elif_chain_compiles_once_per_branch(tmp_path: Path) -> None:
    """Each branch is emitted once (it used to be copied for the plain and the reference case at every level,
    doubling the code per elif), and no `with` nesting reaches Python's limit of 20 nested blocks."""
    short, long = _elif_chain(tmp_path, 12), _elif_chain(tmp_path, 24)
    assert long.graph.status["v"].count("?") == 24
    for tier, value in (("t0", "v0"), ("t23", "v23"), ("x", "none")):
        assert run(long.fn, tier=tier)["status"] == {"v": value}
    sizes = [len(c._bind().__code__.co_code) for c in (short, long)]
    assert sizes[1] < 2.5 * sizes[0]  # linear in the number of branches


def test_names_a_loop_body_assigns_before_reading_are_not_carried() -> None:
    import contextlib

    def f(spec: S) -> None:
        for tag in spec.tags:
            with contextlib.nullcontext(f"{spec.name}-{tag}") as name:
                data = {"name": name}
            if spec.expose:
                data = {**data, "exposed": "yes"}
            ConfigMap(id="perTag", name=name, data=data)

    assert run(f, tags=["a"], name="x", expose=True)["objects"] == {"x-a": {"name": "x-a", "exposed": "yes"}}
    assert run(f, tags=["a"], name="x")["objects"] == {"x-a": {"name": "x-a"}}


def test_a_name_assigned_only_in_a_branch_of_the_loop_body_is_carried() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:
            if spec.expose:
                label = tag
            ConfigMap(id="perTag", name=f"x-{tag}", data={"l": label})  # L:carried-branch

    expect(f, "carried-branch", "`label` is carried from one iteration to the next")


def test_the_transformer_routes_every_method_with_a_cel_equivalent() -> None:
    """The transformer names the str/dict methods it routes without loading the module that builds them (defining a
    composition loads no reference module): both name the same methods."""
    from pykro.authoring._functions import METHODS
    from pykro.authoring._transform import METHOD_NAMES

    assert set(METHODS) == METHOD_NAMES
