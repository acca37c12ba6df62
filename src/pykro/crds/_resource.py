"""Resource classes for custom kinds: ``CustomResource.from_crd(...)`` or a subclass naming its CRD.

An instance is a :class:`~pykro.authoring.ResourceRef` like those the simple factories return: created
inside a ``@composition`` it joins the graph (its attributes are typed references, checked against the CRD's
schema with did-you-mean), its template is validated against the schema when the graph is built, and it carries
the readiness its CRD's conventions imply (:mod:`pykro.crds._readiness`) unless ``ready_when=`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Final, TypeAlias

from pykro.authoring._escape import expr
from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, is_ref
from pykro.authoring._resource import ResourceRef, register
from pykro.authoring._serialize import check_nesting
from pykro.cel import CelError, parse
from pykro.crds import _readiness as readiness
from pykro.crds._definition import Definition, definition, read_source
from pykro.errors import ValidationError
from pykro.graph._naming import did_you_mean
from pykro.resources import _suggest as suggest
from pykro.resources._kinds import kind_schema

__all__ = ["CONVENTIONS", "CustomResource", "Kinds", "ReadyWhen", "load"]

ReadyCondition: TypeAlias = Ref | Callable[[ResourceRef], Any]
ReadyWhen: TypeAlias = ReadyCondition | Sequence[ReadyCondition] | None


class _Conventions:
    def __repr__(self) -> str:
        return "CONVENTIONS"


CONVENTIONS: Final[Any] = _Conventions()  # ready_when's default: the CRD's conventions (or the class's own rules)


def _crd_doc(crd: Mapping[str, Any] | str | Path, source: str | None = None) -> tuple[Any, str]:
    if isinstance(crd, Mapping):
        return crd, source or "the CRD mapping"
    docs = read_source(crd)
    if len(docs) != 1:
        raise ValidationError(
            f"holds {len(docs)} documents; a resource class needs exactly one CRD",
            where=str(crd),
            fix="Use pykro.crds.load() for files with several CRDs.",
        )
    source, doc = docs[0]
    return doc, source


class CustomResource(ResourceRef):
    """A resource of a custom kind. Subclass with ``crd=`` (a CRD mapping, a path, a URL) or use :meth:`from_crd`.

    ``ready=`` on the subclass replaces the conventions' readiness with the given CEL expressions over ``self``.
    """

    __slots__ = ()
    definition: ClassVar[Definition]
    readiness: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(
        cls,
        *,
        crd: Mapping[str, Any] | str | Path | None = None,
        version: str | None = None,
        ready: Sequence[str] | None = None,
        source: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if crd is None:
            return
        doc, source = _crd_doc(crd, source)
        cls.definition = definition(doc, source, version=version)
        cls.readiness = _rules(cls.definition, ready)

    @classmethod
    def from_crd(
        cls,
        crd: Mapping[str, Any] | str | Path,
        *,
        version: str | None = None,
        ready: Sequence[str] | None = None,
        source: str | None = None,
    ) -> type[CustomResource]:
        """A resource class for the kind a CRD defines (a mapping, YAML file path or http(s) URL).

        ``ready`` replaces the readiness the CRD's conventions imply with CEL expressions over ``self``;
        ``source`` names a mapping in error messages."""
        doc, source = _crd_doc(crd, source)
        return _make(definition(doc, source, version=version), ready)

    def __init__(
        self,
        name: Any,
        *,
        spec: Mapping[str, Any] | None = None,
        namespace: Any = None,
        labels: Mapping[str, Any] | None = None,
        annotations: Mapping[str, Any] | None = None,
        id: str | None = None,
        ready_when: ReadyWhen = CONVENTIONS,
        **fields: Any,
    ) -> None:
        definition = getattr(type(self), "definition", None)
        if definition is None:
            raise fail(
                f"{type(self).__name__} names no CRD",
                "Subclass CustomResource with crd=..., or use CustomResource.from_crd(...).",
            )
        kind = definition.kind
        if not (is_ref(name) or (isinstance(name, str) and name)):
            raise fail(f"{kind} needs a name (a string or a reference), got {name!r}", f'Write {kind}("my-name", ...).')
        if namespace is not None and not definition.namespaced:
            raise fail(
                f"{kind} is cluster-scoped: it has no namespace, but namespace={namespace!r} was given",
                "Drop namespace=.",
            )
        body = dict(spec or {})
        both = sorted(set(body) & set(fields))
        if both:
            raise fail(f"{kind} field spec.{both[0]} is given twice (in spec= and as a keyword)", "Give it once.")
        body.update(fields)
        _check_top_level(definition, body)
        metadata: dict[str, Any] = {"name": name}
        if namespace is not None:
            metadata["namespace"] = namespace
        if labels:
            metadata["labels"] = dict(labels)
        if annotations:
            metadata["annotations"] = dict(annotations)
        obj: dict[str, Any] = {"apiVersion": definition.api_version, "kind": kind, "metadata": metadata}
        if body or "spec" in _properties(definition.schema):
            obj["spec"] = body
        check_nesting(obj, f"the {kind} object")
        ResourceRef.__init__(self, obj)
        register(self, id)
        if self.id is not None:
            self._set_readiness(ready_when)

    def _set_readiness(self, ready_when: ReadyWhen) -> None:
        if ready_when is CONVENTIONS:
            for text in type(self).readiness:
                self.ready_when(expr(readiness.bind(text, self.id or ""), bool))
            return
        conditions: Sequence[ReadyCondition | None] = (
            ready_when if isinstance(ready_when, Sequence) and not isinstance(ready_when, str) else [ready_when]
        )
        for cond in conditions:
            if cond is not None:
                self.ready_when(cond)


def _properties(schema: Any) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _check_top_level(definition: Definition, body: Mapping[str, Any]) -> None:
    """Unknown spec fields now, at the user's line (deeper problems are found when the graph is validated)."""
    spec = _properties(definition.schema).get("spec")
    known = _properties(spec)
    if not known or (isinstance(spec, Mapping) and spec.get("x-kubernetes-preserve-unknown-fields")):
        return
    for key in body:
        if key not in known:
            root = kind_schema(definition.api_version, definition.kind) or definition.schema
            hint = suggest.fix_for(root, ("spec",), str(key), list(known))
            raise fail(f"{definition.kind} has no field spec.{key}", hint)


def _rules(definition: Definition, ready: Sequence[str] | None) -> tuple[str, ...]:
    """``ready`` (CEL over ``self``, each checked now) or else the conventions of the CRD's status."""
    if ready is None:
        return tuple(readiness.conventions(definition.schema))
    if isinstance(ready, str):
        raise fail("ready= takes a list of CEL expressions", f"Write ready=[{ready!r}].")
    for text in ready:
        try:
            parse(text)
        except CelError as exc:
            raise fail(f"ready= expression {text!r} for {definition.kind} is not valid CEL: {exc}", "Fix it.") from None
    return tuple(ready)


def _make(definition: Definition, ready: Sequence[str] | None) -> type[CustomResource]:
    rules = _rules(definition, ready)
    namespace = {
        "__slots__": (),
        "__doc__": f"{definition.kind} ({definition.api_version}), from {definition.source}.",
        "definition": definition,
        "readiness": rules,
        "__module__": __name__,
    }
    return type(definition.kind, (CustomResource,), namespace)


class Kinds(Mapping[str, type[CustomResource]]):
    """The resource classes :func:`load` made, by kind: ``kinds.Cluster`` or ``kinds["Cluster"]``."""

    def __init__(self, classes: Mapping[str, type[CustomResource]]) -> None:
        self._classes = dict(classes)

    def __getitem__(self, kind: str) -> type[CustomResource]:
        found = self._classes.get(kind)
        if found is None:
            listed = ", ".join(self._classes) or "none"
            raise fail(
                f"the loaded CRDs define no kind {kind!r}",
                did_you_mean(kind, self._classes).strip() or f"They define {listed}.",
            )
        return found

    def __getattr__(self, kind: str) -> type[CustomResource]:
        if kind.startswith("_"):
            raise AttributeError(kind)
        return self[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"<pykro CRD kinds: {', '.join(self._classes)}>"


def load(*sources: str | Path | Mapping[str, Any]) -> Kinds:
    """Resource classes for every CRD in the given files, http(s) URLs or mappings (each file may hold several)."""
    if not sources:
        raise fail("pykro.crds.load() needs at least one CRD file, URL or mapping", 'Write load("crds/db.yaml").')
    classes: dict[str, type[CustomResource]] = {}
    for source in sources:
        docs = [(("the CRD mapping"), source)] if isinstance(source, Mapping) else read_source(source)
        for where, doc in docs:
            found = definition(doc, where)
            if found.kind in classes:
                other = classes[found.kind].definition
                raise ValidationError(
                    f"kind {found.kind} is defined twice (also in {other.source})",
                    where=where,
                    fix="Load one CRD per kind, or load them separately.",
                )
            classes[found.kind] = _make(found, None)
    return Kinds(classes)
