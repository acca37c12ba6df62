"""Authoring mistakes: each raises a CompositionError naming the construct, the fix, and the user's file:line."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from pykro import Spec, Status, composition, external_ref, resource
from pykro.authoring._decorator import _parameter_names
from pykro.errors import CompositionError
from pykro.simple import ConfigMap, Deployment, Service

FILE = str(Path(__file__).resolve())
SOURCE = Path(__file__).read_text(encoding="utf-8").splitlines()


class S(Spec):
    name: str
    replicas: int = 1
    ratio: float = 1.0
    expose: bool = False
    tags: list[str] = Field(default_factory=list)
    counts: list[int] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)


class St(Status):
    ready: bool
    replicas: int


def line_of(marker: str) -> int:
    """The line carrying ``# L:marker``."""
    tag = f"# L:{marker}"
    return next(i for i, text in enumerate(SOURCE, start=1) if text.rstrip().endswith(tag))


def expect(fn: Callable[..., Any], marker: str, *fragments: str, kind: str = "T") -> CompositionError:
    """Compiling ``fn`` fails at the marked line with every fragment in the message."""
    with pytest.raises(CompositionError) as info:
        _ = composition(api_version="v1alpha1", kind=kind)(fn).graph
    err = info.value
    assert err.where is not None and err.where.startswith(f"{FILE}:{line_of(marker)}:"), (err.where, str(err))
    for fragment in fragments:
        assert fragment in str(err), (fragment, str(err))
    return err


def cm(name: str = "cm") -> None:
    ConfigMap(name=name, data={"k": "v"})


def test_if_on_a_string_reference() -> None:
    def f(spec: S) -> None:
        if spec.name:  # L:if-str
            cm()

    expect(f, "if-str", "`if` on schema.spec.name", "truthiness", "!= ''")


def test_and_on_an_int_reference_reads_well() -> None:
    def f(spec: S) -> None:
        if spec.expose and spec.replicas:  # L:and-int
            cm()

    err = expect(f, "and-int", "`and` on schema.spec.replicas, an int reference")
    assert err.fix == "Compare explicitly: `schema.spec.replicas != 0`."


def test_not_on_an_int_reference() -> None:
    def f(spec: S) -> None:
        value = "b" if not spec.replicas else "c"  # L:not-int
        resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": value}})

    expect(f, "not-int", "`not`", "!= 0")


def test_a_value_no_manifest_can_hold_points_at_the_resource_line() -> None:
    def f(spec: S) -> None:
        obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": spec.name}, "data": {"a": b"x"}}
        resource(obj, id="c")  # L:bytes

    expect(f, "bytes", "cannot put a bytes into a manifest (c.data.a)")


def test_a_status_field_that_does_not_exist() -> None:
    def f(spec: S) -> St:
        cm()
        return St(ready=True, replicas=1, redy=False)  # type: ignore[call-arg]  # L:literal-status-extra

    expect(f, "literal-status-extra", "St has no field 'redy'", "Did you mean 'ready'?")


def test_a_status_of_literals_missing_a_field_or_of_a_wrong_type() -> None:
    def missing(spec: S) -> St:
        cm()
        return St(ready=True)  # type: ignore[call-arg]  # L:literal-status-missing

    expect(missing, "literal-status-missing", "St is missing the field 'replicas'")

    def wrong(spec: S) -> St:
        cm()
        return St(ready=True, replicas="many")  # type: ignore[arg-type]  # L:literal-status-type

    err = expect(wrong, "literal-status-type", "field St.replicas:")
    assert "many" not in str(err)


def test_or_as_a_default() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.name or "default"})  # L:or-default

    expect(f, "or-default", "uses `or` to pick a default", "pykro.cel.default", "x if x != '' else default")


def test_or_as_a_default_on_an_int_compares_with_zero() -> None:
    def f(spec: S) -> None:
        Deployment(name="x", image="i", replicas=spec.replicas or 2)  # L:or-int

    err = expect(f, "or-int", "uses `or` to pick a default for a int value", "x if x != 0 else default")
    assert "!= ''" not in str(err)


def test_true_division_of_ints() -> None:
    def f(spec: S) -> None:
        Deployment(name="x", image="i", replicas=spec.replicas / 2)  # type: ignore[arg-type]  # L:div

    expect(f, "div", "Python's `/` gives a float", "Use `//`")


def test_power() -> None:
    def f(spec: S) -> None:
        Deployment(name="x", image="i", replicas=spec.replicas**2)  # L:pow

    expect(f, "pow", "no power operator")


def test_string_repetition() -> None:
    def f(spec: S) -> None:
        cm(spec.name * 2)  # L:repeat

    expect(f, "repeat", "mixes string and int", "repetition")


def test_string_plus_int() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.name + spec.replicas})  # type: ignore[operator]  # L:str-int

    expect(f, "str-int", "mixes string and int", "str(x)")


def test_str_of_float() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": str(spec.ratio)})  # L:str-float

    expect(f, "str-float", "print floats differently", "str(int(x))")


def test_round() -> None:
    def f(spec: S) -> None:
        Deployment(name="x", image="i", replicas=round(spec.ratio))  # L:round

    expect(f, "round", "round() over a reference", "halves to even")


def test_sorted() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": ",".join(sorted(spec.tags))})  # L:sorted

    expect(f, "sorted", "sorted() over a reference")


def test_is_none() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": "a" if spec.name is None else "b"})  # L:is-none

    expect(f, "is-none", "`is` on a reference", "cel.has")


def test_enumerate() -> None:
    def f(spec: S) -> None:
        for i, tag in enumerate(spec.tags):  # L:enumerate
            cm(f"{tag}-{i}")

    expect(f, "enumerate", "enumerate() over a reference", "no index")


def test_unpacking_in_for() -> None:
    def f(spec: S) -> None:
        for a, b in spec.tags:  # type: ignore[str-unpack]  # L:unpack
            cm(a + b)

    expect(f, "unpack", "unpacking in a `for` over a reference list")


def test_return_inside_if() -> None:
    def f(spec: S) -> None:
        if spec.expose:  # L:return
            return None
        cm()

    expect(f, "return", "`return` inside an `if` on a reference", "move the `return` out")


def test_break_inside_for() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:  # L:break
            cm(f"x-{tag}")
            break

    expect(f, "break", "`break` in a `for` over a reference list")


def test_for_else() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:  # L:for-else
            cm(f"x-{tag}")
        else:
            cm()

    expect(f, "for-else", "`for ... else`")


def test_while_on_reference() -> None:
    def f(spec: S) -> None:
        while spec.replicas > 0:  # L:while
            cm()

    expect(f, "while", "`while` on the reference", "forEach")


def test_walrus() -> None:
    with pytest.raises(CompositionError) as info:

        @composition(api_version="v1alpha1", kind="T")
        def f(spec: S) -> None:
            cm(name := "x")  # L:walrus
            del name

    assert info.value.where is not None and info.value.where.startswith(f"{FILE}:{line_of('walrus')}:")
    assert "assignment expressions" in str(info.value)


def test_range_over_reference() -> None:
    def f(spec: S) -> None:
        for i in range(spec.replicas):  # L:range
            cm(f"x-{i}")

    expect(f, "range", "range() over a reference", "list field")


def test_unknown_spec_field() -> None:
    def f(spec: S) -> None:
        cm(spec.nmae)  # type: ignore[attr-defined]  # L:spec-typo

    expect(f, "spec-typo", "S has no field 'nmae'", "Did you mean 'name'?")


def test_unknown_status_field_of_a_deployment() -> None:
    def f(spec: S) -> St:
        d = Deployment(name="x", image="i")
        return St(ready=d.status.reedyReplicas > 0, replicas=1)  # L:reedy

    expect(f, "reedy", "reedyReplicas", "readyReplicas")


def test_cluster_ip_lives_in_spec() -> None:
    def f(spec: S) -> None:
        svc = Service(name="s", selector={"app": "x"}, ports=[80])
        ConfigMap(name="c", data={"ip": svc.status.clusterIP})  # L:cluster-ip

    expect(f, "cluster-ip", "spec.clusterIP")


def test_id_with_a_dash() -> None:
    def f(spec: S) -> None:
        ConfigMap(id="my-db", name="x", data={})  # L:id-dash

    expect(f, "id-dash", "resource id 'my-db'", "Use 'myDb'")


def test_reserved_id() -> None:
    def f(spec: S) -> None:
        ConfigMap(id="schema", name="x", data={})  # L:id-reserved

    expect(f, "id-reserved", "reserved by kro/CEL", "schemaResource")


def test_duplicate_ids() -> None:
    def f(spec: S) -> None:
        ConfigMap(id="cfg", name="a", data={})
        ConfigMap(id="cfg", name="b", data={})  # L:dup

    expect(f, "dup", "two resources have the id 'cfg'")


def test_derived_ids_collide() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="same", data={})
        ConfigMap(name="same", data={})  # L:derived-dup

    expect(f, "derived-dup", "configMapSame")


def test_dynamic_name_needs_an_id() -> None:
    def f(spec: S) -> None:
        ConfigMap(name=f"{spec.name}-cfg", data={})  # L:dyn-name

    expect(f, "dyn-name", "name is computed", "Pass id=")


def test_loop_resource_name_without_iterator() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:
            ConfigMap(id="perTag", name=spec.name, data={"tag": tag})  # L:loop-name

    expect(f, "loop-name", "does not use the loop variable 'tag'")


def test_loop_variable_name_not_lower_camel() -> None:
    def f(spec: S) -> None:
        for my_tag in spec.tags:  # L:loop-var
            ConfigMap(id="perTag", name=f"x-{my_tag}", data={})

    expect(f, "loop-var", "must be lower camelCase", "Rename it to 'myTag'")


def test_collection_used_outside_its_loop() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:
            per = ConfigMap(id="perTag", name=f"x-{tag}", data={})
        ConfigMap(name="y", data={"n": per.metadata.name})  # L:outside-loop

    expect(f, "outside-loop", "forEach collection", "outside its loop it is a list")


def test_status_type_mismatch() -> None:
    def f(spec: S) -> St:
        d = Deployment(name="x", image="i")
        return St(ready=d.status.readyReplicas, replicas=1)  # L:status-type

    expect(f, "status-type", "field St.ready is a bool but", "is an int", "x > 0")


def test_status_missing_field() -> None:
    def f(spec: S) -> St:
        d = Deployment(name="x", image="i")
        return St(ready=d.status.readyReplicas > 0)  # type: ignore[call-arg]  # L:status-missing

    expect(f, "status-missing", "St is missing the field 'replicas'")


def test_status_unknown_field() -> None:
    def f(spec: S) -> St:
        d = Deployment(name="x", image="i")
        return St(ready=d.status.readyReplicas > 0, replica=1)  # type: ignore[call-arg]  # L:status-unknown

    expect(f, "status-unknown", "St has no field 'replica'", "Did you mean 'replicas'?")


def test_format_spec_on_reference() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": f"{spec.ratio:.2f}"})  # L:format-spec

    expect(f, "format-spec", "format conversions")


def test_str_format_and_percent_on_reference() -> None:
    """Were reported as "an f-string ... outside a @composition function" although written inside one."""

    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": "{}-db".format(spec.name)})  # noqa: UP032  # L:str-format

    expect(f, "str-format", "with str.format() or format()", "Use an f-string in the @composition function itself")

    def g(spec: S) -> None:
        ConfigMap(name="x", data={"v": "%s-db" % spec.name})  # noqa: UP031  # L:percent

    expect(g, "percent", "str() (or % formatting) of the reference schema.spec.name")


def test_python_methods_without_a_cel_equivalent() -> None:
    """Were reported as "has no field 'title'" / "is not callable": the user wrote a method call, not a field."""

    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.name.title()})  # L:str-method

    expect(f, "str-method", ".title() of schema.spec.name (string) has no CEL equivalent", "Supported: endswith")

    def g(spec: S) -> None:
        ConfigMap(name="x", data={"v": ",".join(spec.labels.keys())})  # L:dict-method

    expect(g, "dict-method", ".keys() of a map reference has no CEL equivalent", "[f(k, m[k]) for k in m]")

    def h(spec: S) -> None:
        ConfigMap(name="x", data={**spec.labels, "a": "b"})  # L:dict-unpack

    expect(h, "dict-unpack", "`**m` and dict(m) call .keys()")

    def i(spec: S) -> None:
        ConfigMap(name="x", data=spec.labels | {"a": "b"})  # L:dict-merge

    expect(i, "dict-merge", "(a dict merge) over a reference has no CEL equivalent", "key by key")


def test_a_python_error_in_the_body_is_named_at_its_line() -> None:
    """Was an uncaught exception (the CLI called it "internal error ... a bug in pykro")."""
    from pykro.builders import App

    def f(spec: S) -> None:
        App("web").image("nginx").replica(3)  # type: ignore[attr-defined]  # L:attr

    err = expect(f, "attr", "composition f raised AttributeError: 'App' object has no attribute 'replica'")
    assert err.fix == "Did you mean 'replicas'? Fix the code at that line."

    def g(spec: S) -> None:
        cm({"a": "x"}["b"])  # L:keyerror

    expect(g, "keyerror", "composition g raised KeyError: 'b'")


def test_slicing() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.name[1:3]})  # L:slice

    expect(f, "slice", "slicing the reference schema.spec.name")


def test_negative_index() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.tags[-1]})  # L:neg-index

    expect(f, "neg-index", "negative index -1", "size(xs) - 1")


def test_join_of_ints() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": ",".join(spec.counts)})  # type: ignore[arg-type]  # L:join-ints

    expect(f, "join-ints", "join() over list(int)", "str()")


def test_split_without_separator() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": spec.name.split()[0]})  # L:split

    expect(f, "split", "split() without a separator", "s.split(',')")


def test_comparison_of_different_types() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": "a" if spec.name == 1 else "b"})  # type: ignore[comparison-overlap]  # L:eq-types

    expect(f, "eq-types", "always False")


def test_bitwise_and() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": "a" if spec.expose & True else "b"})  # L:bitand

    expect(f, "bitand", "`&` is bitwise", "use `and`")


def test_resources_in_a_comprehension_over_a_reference() -> None:
    def f(spec: S) -> None:
        _ = [ConfigMap(id="c", name="c", data={"t": t}) for t in spec.tags]  # L:comp-res

    expect(f, "comp-res", "resources cannot be created in a comprehension", "`for` statement")


def test_nested_generators_iterate_a_reference() -> None:
    def f(spec: S) -> None:
        ConfigMap(name="x", data={"v": ",".join([a + b for a in spec.tags for b in spec.tags])})  # L:nested-gen

    expect(f, "nested-gen", "cannot iterate over the reference")


def test_two_parameters() -> None:
    with pytest.raises(CompositionError) as info:

        @composition(api_version="v1alpha1", kind="T")  # L:two-params
        def f(spec: S, extra: int) -> None:
            cm()

    assert "exactly one parameter" in str(info.value)
    assert info.value.where == f"{FILE}:{line_of('two-params')}"


@pytest.mark.parametrize(
    ("api_version", "message"),
    [
        ("Example.com/v1", "the group 'Example.com' is not a lower-case domain with at least one dot"),
        ("example/v1", "the group 'example' is not a lower-case domain"),
        ("example.com/V1", "the version 'V1' does not match ^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$"),
        ("example.com/", "the version '' does not match"),
    ],
)
def test_an_api_version_the_api_server_rejects(api_version: str, message: str) -> None:
    """Were accepted: kro would fail to create the instance CRD."""
    with pytest.raises(CompositionError) as info:

        @composition(api_version=api_version, kind="WebApp")
        def f(spec: S) -> None:
            cm()

    assert message in info.value.what and info.value.fix == "E.g. api_version='example.com/v1alpha1'."


def _takes_all(a: int, /, b: int, *args: int, c: int, d: int = 1, **kwargs: int) -> None:
    pass


def _keyword_only(*, spec: S) -> None:
    pass


@functools.wraps(_takes_all)
def _wrapping(spec: S) -> None:
    pass


@pytest.mark.parametrize(
    "fn",
    [
        _takes_all,
        _keyword_only,
        _wrapping,
        lambda x, *y: None,
        lambda **z: None,
        lambda: None,
        functools.partial(_takes_all, 1),
    ],
)
def test_the_parameters_of_a_composition_function_are_those_inspect_reports(fn: Callable[..., Any]) -> None:
    assert _parameter_names(fn) == list(inspect.signature(fn).parameters)


def test_kind_must_be_upper_camel() -> None:
    with pytest.raises(CompositionError, match="must be UpperCamelCase"):

        @composition(api_version="v1alpha1", kind="webapp")
        def f(spec: S) -> None:
            cm()


def test_source_unavailable() -> None:
    namespace: dict[str, Any] = {"S": S, "composition": composition}
    code = "@composition(api_version='v1alpha1', kind='T')\ndef f(spec: S) -> None:\n    pass\n"
    with pytest.raises(CompositionError) as info:
        exec(compile(code, "<string>", "exec"), namespace)
    assert "source of composition f is not available" in str(info.value)
    assert "Define the composition in a .py file" in str(info.value)


def test_external_ref_without_name_or_selector() -> None:
    def f(spec: S) -> None:
        external_ref("v1", "ConfigMap")  # L:ext

    expect(f, "ext", "exactly one of name= or selector=")


def test_called_outside_a_composition() -> None:
    @composition(api_version="v1alpha1", kind="T")
    def f(spec: S) -> None:
        cm()

    with pytest.raises(CompositionError, match="was called outside a composition"):
        f(S(name="x"))


def test_graph_level_rejection_points_at_the_resource() -> None:
    def f(spec: S) -> None:
        for tag in spec.tags:
            ConfigMap(id="tag", name=f"x-{tag}", data={})  # L:iterator-clash

    expect(f, "iterator-clash", "kro would reject", 'iterator name "tag" conflicts with resource ID')


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("Web_App", "name='Web_App' is not a valid RGD name"), (None, "the name 'web-' (from the function name)")],
)
def test_an_rgd_name_the_api_server_rejects(name: str | None, fragment: str) -> None:
    def web_(spec: S) -> None:
        cm()

    with pytest.raises(CompositionError) as info:
        composition(api_version="v1alpha1", kind="T", name=name)(web_)
    assert fragment in info.value.what and "DNS-1123 subdomain" in info.value.what
    first_line = web_.__code__.co_firstlineno
    assert info.value.where == f"{FILE}:{first_line}"
