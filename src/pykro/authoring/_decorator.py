"""``@composition``: a typed Python function compiled once into a kro graph (pykro.graph.Graph)."""

from __future__ import annotations

import functools
import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import BaseModel

from pykro.authoring._location import fail, raised_at
from pykro.authoring._models import Spec, Status, check_models
from pykro.authoring._transform import transform
from pykro.errors import CompositionError, PykroError, ValidationError
from pykro.graph._naming import (
    API_VERSION_RULE,
    GROUP_RULE,
    SUBDOMAIN_RULE,
    did_you_mean,
    is_dns_subdomain,
    is_valid_group,
    is_valid_kind,
    is_valid_version,
)
from pykro.schema._models import reveal, secret_paths, simple_schema

if TYPE_CHECKING:
    from pykro.authoring._context import Build
    from pykro.authoring._resource import ResourceRef
    from pykro.deploy import DirectFactory, KroFactory
    from pykro.graph import Graph, Resource

SCOPES = ("Namespaced", "Cluster")


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).replace("_", "-").lower()


def _lower_camel(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts)
    return text[:1].lower() + text[1:]


class Composition:
    """A composition: ``.graph`` (the kro graph), ``.to_rgd_yaml()``, ``.to_manifests(spec)``; calling it inside
    another composition merges its resources (ids prefixed) and returns its status."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        api_version: str,
        kind: str,
        group: str | None = None,
        name: str | None = None,
        scope: str = "Namespaced",
    ) -> None:
        self.fn = fn
        where = f"{inspect.getsourcefile(fn) or fn.__code__.co_filename}:{fn.__code__.co_firstlineno}"
        self.where = where
        group_part, _, version = api_version.rpartition("/")
        if group and group_part and group != group_part:
            raise CompositionError(
                f"api_version {api_version!r} names the group {group_part!r} but group={group!r}",
                where=where,
                fix="Give the group once.",
            )
        self.group = group or group_part or "kro.run"
        self.version = version
        if not is_valid_version(version):
            raise CompositionError(
                f"api_version {api_version!r}: the version {version!r} does not match {API_VERSION_RULE}",
                where=where,
                fix="E.g. api_version='example.com/v1alpha1'.",
            )
        if not is_valid_group(self.group):
            raise CompositionError(
                f"api_version {api_version!r}: the group {self.group!r} is not {GROUP_RULE}",
                where=where,
                fix="E.g. api_version='example.com/v1alpha1'.",
            )
        if not is_valid_kind(kind):
            raise CompositionError(
                f"kind {kind!r} must be UpperCamelCase (^[A-Z][a-zA-Z0-9]*$)", where=where, fix="E.g. kind='WebApp'."
            )
        if scope not in SCOPES:
            raise CompositionError(f"scope {scope!r} is not one of {SCOPES}", where=where, fix="Use 'Namespaced'.")
        self.kind = kind
        self.scope = scope
        self.name = name or _kebab(fn.__name__)
        if not (isinstance(self.name, str) and is_dns_subdomain(self.name)):
            given = f"name={self.name!r}" if name else f"the name {self.name!r} (from the function name)"
            raise CompositionError(
                f"{given} is not a valid RGD name: it must be {SUBDOMAIN_RULE}",
                where=where,
                fix="Pass name='my-app' (the API server would reject the RGD on deploy).",
            )
        self.spec_model, self.status_model = self._models(fn, where)
        self._bind = transform(fn)
        functools.update_wrapper(self, fn)

    @staticmethod
    def _models(fn: Callable[..., Any], where: str) -> tuple[type[BaseModel], type[BaseModel] | None]:
        hints = typing.get_type_hints(fn)
        params = _parameter_names(fn)
        if len(params) != 1:
            raise CompositionError(
                f"a composition takes exactly one parameter (the spec), {fn.__name__} takes {len(params)}",
                where=where,
                fix="Define it as def f(spec: MySpec) -> MyStatus.",
            )
        spec_model = hints.get(params[0])
        if not (isinstance(spec_model, type) and issubclass(spec_model, BaseModel)):
            raise CompositionError(
                f"the spec parameter of {fn.__name__} must be annotated with a Spec model",
                where=where,
                fix="class MySpec(pykro.Spec): ...; def f(spec: MySpec).",
            )
        check_models(spec_model, where, Spec)
        status = hints.get("return")
        if status is type(None) or status is None or status is dict or typing.get_origin(status) is dict:
            return spec_model, None
        if not (isinstance(status, type) and issubclass(status, BaseModel)):
            raise CompositionError(
                f"the return annotation of {fn.__name__} must be a Status model (or dict / None)",
                where=where,
                fix="class MyStatus(pykro.Status): ...; def f(spec: MySpec) -> MyStatus.",
            )
        check_models(status, where, Status)
        return spec_model, status

    def __repr__(self) -> str:
        return f"<pykro composition {self.name}: {self.group}/{self.version} {self.kind}>"

    # ------------------------------------------------------------------------------------------- building
    @functools.cached_property
    def graph(self) -> Graph:
        """The kro graph (built once, validated like kro's graph builder)."""
        # references, the CEL AST and the graph layer load when a composition is first compiled, not when defined
        from pykro.authoring import _context as context
        from pykro.authoring._serialize import status_template
        from pykro.authoring._symbolic import spec_ref
        from pykro.graph import Graph
        from pykro.graph._secrets import SECRET_FIELDS

        build = context.Build(self.name)
        with context.building(build):
            try:
                result = self._bind()(spec_ref(self.spec_model))
                status = self._status(result)
            except PykroError:
                raise
            except Exception as exc:  # the user's code raised: name it at its line, not as a bug in pykro
                raise self._raised(exc) from exc
        types: dict[str, Any] = {}
        try:
            spec_schema = simple_schema(self.spec_model, types)
        except ValidationError as exc:
            raise fail(exc.what, exc.fix) from None
        graph = Graph(
            name=self.name,
            api_version=self.version,
            kind=self.kind,
            group=self.group,
            scope=self.scope,
            spec=spec_schema,
            types=types,
            status=status_template(status) if status is not None else {},
            resources=[_resource(r) for r in build.resources],
        )
        secret = secret_paths(self.spec_model)
        if secret:
            graph.annotations[SECRET_FIELDS] = ",".join(secret)
        try:
            graph.validate()
        except ValidationError as exc:
            raise CompositionError(
                f"composition {self.name} compiles to a graph kro would reject: {exc.what}"
                + (f" (at {exc.where})" if exc.where else ""),
                where=_source_of(exc.where, build) or self.where,
                fix=exc.fix,
            ) from None
        self._check_required_status(graph)
        self._check_contagion(graph, build)
        return graph

    def _raised(self, exc: Exception) -> CompositionError:
        name, obj = getattr(exc, "name", None), getattr(exc, "obj", None)
        hint = ""
        if isinstance(exc, AttributeError) and isinstance(name, str) and obj is not None:
            hint = did_you_mean(name, [n for n in dir(obj) if not n.startswith("_")]).strip()
        return CompositionError(
            f"composition {self.name} raised {type(exc).__name__}: {exc}",
            where=raised_at(exc) or self.where,
            fix=(hint + " " if hint else "") + "Fix the code at that line.",
        )

    def _check_contagion(self, graph: Graph, build: Build) -> None:
        """Refuse a resource that reads one an `if` may exclude without being under that `if` itself: kro would
        skip it too, silently, where the Python reads as if it were always created."""
        from pykro.graph._exclusion import excluded_dependencies

        for found in excluded_dependencies(graph.analysis):
            made = next((r for r in build.resources if r.id == found.resource), None)
            raise CompositionError(
                f"resource {found.resource!r} reads {found.dependency!r}, which is not created when "
                f"`{found.condition}` is false; kro would then skip {found.resource!r} as well",
                where=(made.where if made is not None else None) or self.where,
                fix=f"Create {found.resource!r} under the same `if` (so the condition is explicit), or read a value "
                "that exists in both cases.",
            )

    def _check_required_status(self, graph: Graph) -> None:
        """Refuse a required status field that reads a resource in a case where includeWhen excludes it: kro never
        sets such a field then, so the typed status could not be read (and a deploy would wait for it)."""
        from pykro.graph._exclusion import excluded_reads

        model = self.status_model
        if model is None:
            return
        fields = [f for f in graph.analysis.status_fields if _required_path(model, f.path)]
        for read in excluded_reads(graph.analysis, fields):
            name = read.field.path_text
            raise CompositionError(
                f"status field {name!r} reads the resource {read.resource!r}, which is not created when "
                f"`{read.condition}` is false; kro then leaves {name!r} unset, but {model.__name__} requires it",
                where=self.where,
                fix=f"Make the field optional ({name}: ... | None = None), or give it a value for that case, e.g. "
                "`x.field if <the same condition> else default`.",
            )

    def _status(self, result: Any) -> Any:
        model = self.status_model
        if result is None:
            if model is not None and any(f.is_required() for f in model.model_fields.values()):
                raise CompositionError(  # the function has returned: locate it at its definition, not the caller
                    f"{self.fn.__name__} returns nothing, but declares {model.__name__}",
                    where=self.where,
                    fix=f"Return {model.__name__}(...) or a dict of its fields.",
                )
            return None
        if model is None:
            if not isinstance(result, dict):
                raise fail(f"{self.fn.__name__} returned {type(result).__name__}", "Return a dict or a Status model.")
            return result
        if isinstance(result, dict):
            return model(**result)
        if isinstance(result, model):
            return result
        raise fail(f"{self.fn.__name__} returned {type(result).__name__}, not {model.__name__}",
                   f"Return {model.__name__}(...).")  # fmt: skip

    def __call__(self, spec: Any = None, /, *, id: str | None = None, **fields: Any) -> Any:
        """Use this composition inside another: its resources join the caller's graph with ids prefixed by ``id``
        (default: the function name); returns its status, whose fields are references."""
        from pykro.authoring import _context as context
        from pykro.authoring._resource import check_id

        build = context.current()
        if build is None:
            raise fail(
                f"composition {self.name} was called outside a composition",
                f"Use {self.fn.__name__}.to_manifests(spec) or .to_rgd_yaml(); call it inside another @composition.",
            )
        if id is not None:
            check_id(id)
        prefix = id or _lower_camel(self.fn.__name__)
        full = build.prefix + prefix[:1].upper() + prefix[1:] if build.prefix else prefix
        if full in build.nested:
            raise fail(f"composition {self.name} is used twice with the prefix {full!r}", "Pass a distinct id='...'.")
        build.nested.add(full)
        if spec is None:
            spec = self.spec_model(**fields)
        elif isinstance(spec, dict):
            spec = self.spec_model(**spec)
        elif not isinstance(spec, self.spec_model):
            raise fail(f"{self.name} needs a {self.spec_model.__name__}, got {type(spec).__name__}",
                       f"Pass {self.spec_model.__name__}(...).")  # fmt: skip
        with context.prefixed(full):
            result = self._bind()(spec)
        return self._status(result)

    # ------------------------------------------------------------------------------------------- outputs
    def to_rgd(self) -> dict[str, Any]:
        """The ResourceGraphDefinition as a mapping."""
        return self.graph.to_rgd()

    def to_rgd_yaml(self) -> str:
        """The ResourceGraphDefinition as YAML (deterministic)."""
        return self.graph.to_yaml()

    def spec_values(self, spec: Any) -> dict[str, Any]:
        """A concrete spec (model, or mapping by Python or CRD names) as the instance's ``spec`` mapping, checked
        like every spec pykro is given (``pykro.runtime._values.check_spec``)."""
        from pykro.runtime._values import spec_instance

        model = spec if isinstance(spec, self.spec_model) else None
        if model is None:
            model = spec_instance(self.graph.openapi, {} if spec is None else spec, self.spec_model,
                                  what=f"{self.kind} spec")  # fmt: skip
        # SecretStr values as they are (JSON mode would write **********); an unset optional field (None) is left
        # out, so the CRD's default applies (a null is not a value of the field's type)
        values: dict[str, Any] = reveal(model, exclude_none=True)
        return values

    def to_manifests(
        self,
        spec: Any,
        *,
        name: str | None = None,
        namespace: str | None = None,
        observed: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Plain manifests for a concrete spec, resolved with the real CEL engine (see pykro.render.manifests)."""
        from pykro.render._manifests import manifests

        values = self.spec_values(spec)
        instance_name = name or (values.get("name") if isinstance(values.get("name"), str) else None) or self.name
        return manifests(self.graph, values, name=instance_name, namespace=namespace, observed=observed)

    def factory(self, mode: Literal["direct", "kro"] = "direct", **options: Any) -> DirectFactory | KroFactory:
        """Deploy instances of this composition: ``"direct"`` (pykro applies the graph) or ``"kro"`` (through kro).

        ``options`` are those of :func:`pykro.deploy.factory` (namespace, kubeconfig, context, ...)."""
        from pykro.deploy import factory

        return factory(self, mode, **options)


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    """``list(inspect.signature(fn).parameters)``, read from the code object of a plain function (nothing then can
    change what the signature reports: no ``__wrapped__``, no ``__signature__``) at a tenth of the cost."""
    if type(fn) is not types.FunctionType or hasattr(fn, "__wrapped__") or hasattr(fn, "__signature__"):
        return list(inspect.signature(fn).parameters)
    code = fn.__code__
    names, positional, keyword_only = code.co_varnames, code.co_argcount, code.co_kwonlyargcount
    result = list(names[:positional])
    after = positional + keyword_only
    if code.co_flags & inspect.CO_VARARGS:
        result.append(names[after])
        after += 1
    result.extend(names[positional : positional + keyword_only])
    if code.co_flags & inspect.CO_VARKEYWORDS:
        result.append(names[after])
    return result


def _required_path(model: type[BaseModel], path: tuple[str | int, ...]) -> bool:
    """Whether every field along ``path`` (CRD names) is required in ``model`` and its nested models."""
    current: Any = model
    for key in path:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return True
        found = next(((n, f) for n, f in current.model_fields.items() if (f.alias or n) == key), None)
        if found is None or not found[1].is_required():
            return False
        current = found[1].annotation
    return True


def _source_of(yaml_path: str | None, build: Build) -> str | None:
    """The Python line that created the resource a YAML path (``spec.resources[2]...``) points into."""
    found = re.match(r"spec\.resources\[(\d+)\]", yaml_path or "")
    if found and int(found.group(1)) < len(build.resources):
        return build.resources[int(found.group(1))].where
    return None


def _resource(res: ResourceRef) -> Resource:
    from pykro.authoring._refs import cel_of
    from pykro.authoring._serialize import to_template
    from pykro.graph import Resource

    assert res.id is not None
    body = to_template(res.obj, res.id, res.where)
    return Resource(
        id=res.id,
        template=None if res.external else body,
        external_ref=body if res.external else None,
        ready_when=["${" + cel_of(c) + "}" for c in res.ready],
        include_when=["${" + cel_of(c) + "}" for c in res.include],
        for_each=[{loop.name: "${" + cel_of(loop.iterable) + "}"} for loop in res.loops],
    )


@overload
def composition(fn: Callable[..., Any], /) -> Composition: ...


@overload
def composition(
    *,
    api_version: str,
    kind: str,
    group: str | None = None,
    name: str | None = None,
    scope: str = "Namespaced",
) -> Callable[[Callable[..., Any]], Composition]: ...


def composition(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    api_version: str = "",
    kind: str = "",
    group: str | None = None,
    name: str | None = None,
    scope: str = "Namespaced",
) -> Any:
    """Decorate ``def f(spec: MySpec) -> MyStatus`` to make it a composition (api_version like
    ``example.com/v1alpha1``; ``kind`` UpperCamelCase; ``name`` of the RGD defaults to the function name)."""
    if fn is not None:
        raise CompositionError(
            f"@composition on {getattr(fn, '__name__', fn)} needs api_version= and kind=",
            fix="Write @composition(api_version='example.com/v1alpha1', kind='MyApp').",
        )
    if not api_version or not kind:
        raise fail("@composition needs api_version= and kind=", "E.g. api_version='v1alpha1', kind='App'.")

    def decorate(func: Callable[..., Any]) -> Composition:
        return Composition(func, api_version=api_version, kind=kind, group=group, name=name, scope=scope)

    return decorate


__all__ = ["Composition", "Spec", "Status", "composition"]
