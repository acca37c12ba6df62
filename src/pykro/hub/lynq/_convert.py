"""A LynqForm as a pykro composition: one RGD per form whose spec holds, per resource, the object rendered for
the row (`pykro.hub.lynq._render`), so Lynq forms go through the hub's one planner, deploy engine, kro mode and
status like Python forms.

Each resource of the form is one resource of the RGD, its id Lynq's id in lowerCamelCase (``db-credentials`` →
``dbCredentials``); its template takes ``apiVersion`` and ``kind`` as written and every other field from the
instance's spec (``${schema.spec.<id>.<field>}``). ``dependIds`` become references (the dependent's name reads
its dependencies' names, so the deploy engine creates it once they are ready; cycles are refused). Per-resource
policies map onto the hub's: ``deletionPolicy: Retain`` is pykro's ``pykro.io/deletion-policy: Retain``
annotation, ``creationPolicy: Once`` keeps every field but metadata from the live object after creation
(``ignore_fields``), ``ignoreFields`` is ``ignore_fields``, ``timeoutSeconds`` is the form's ``timeouts``,
``conflictPolicy`` is the form's ``conflict`` (all resources of a form must agree) and ``rollout.maxSkew`` its
``max_skew``. What pykro cannot honour is refused with the reason (`_refuse`). In kro mode the hub applies what
kro cannot honour itself (`LoadedForm.kro_split`, `pykro.hub._split`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pykro.deploy import _inventory as inv
from pykro.errors import PykroError
from pykro.graph._secrets import SECRET_FIELDS
from pykro.hub._source import Row
from pykro.hub.lynq._check import rendered_problem, static_problem
from pykro.hub.lynq._model import RESOURCE_LISTS, FormDoc, TResource
from pykro.hub.lynq._render import Compiled, RenderError, compile_tree

__all__ = ["GROUP", "LoadedForm", "LoadedResource", "RowError", "load_form"]

GROUP = "lynq.pykro.io"
_META_KEYS = frozenset({"name", "namespace", "labels", "annotations"})
_ID_WORD = re.compile(r"[^A-Za-z0-9]+")


class RowError(PykroError):
    """A row's values do not render: the row fails alone (its uid, the form, the resource and the field named)."""


def camel(text: str) -> str:
    """``db-credentials`` → ``dbCredentials`` (kro's resource ids are lowerCamelCase)."""
    words = [w for w in _ID_WORD.split(text) if w]
    if not words:
        return ""
    first = words[0][0].lower() + words[0][1:]
    return first + "".join(w[0].upper() + w[1:] for w in words[1:])


@dataclass
class LoadedResource:
    """One resource of a LynqForm, its templates parsed."""

    rid: str
    res: TResource
    where: str
    api_version: str
    kind: str
    body: Compiled
    name: Compiled | str
    namespace: Compiled | str | None
    labels: Compiled
    annotations: Compiled
    top_keys: list[str]
    name_source: str = ""
    namespace_source: str = ""
    holds_retained: bool = False  # a Namespace holding a resource with deletionPolicy: Retain (kept with it)

    @property
    def retained(self) -> bool:
        return self.res.deletionPolicy == "Retain" or self.holds_retained

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        """The instance spec's entry of this resource for one row (the object without apiVersion and kind)."""
        body = self.body.render(data)
        meta_in = body.pop("metadata", None) or {}
        body.pop("apiVersion", None)
        body.pop("kind", None)
        meta: dict[str, Any] = {}
        meta["name"] = self.name.render(data) if isinstance(self.name, Compiled) else self.name
        if self.namespace is not None:
            meta["namespace"] = self.namespace.render(data) if isinstance(self.namespace, Compiled) else self.namespace
        labels = {**(meta_in.get("labels") or {}), **self.labels.render(data)["labelsTemplate"]}
        annotations = {**(meta_in.get("annotations") or {}), **self.annotations.render(data)["annotationsTemplate"]}
        if labels:
            meta["labels"] = labels
        if annotations:
            meta["annotations"] = annotations
        return {"metadata": meta, **body}

    def template(self, deps: list[str]) -> dict[str, Any]:
        """The RGD template: static apiVersion and kind, everything else from the instance's spec."""
        own = f"schema.spec.{self.rid}"
        name = f"${{{own}.metadata.name}}"
        if deps:
            names = ", ".join([f"{own}.metadata.name", *(f"{d}.metadata.name" for d in deps)])
            name = f"${{[{names}][0]}}"
        meta: dict[str, Any] = {"name": name}
        if self.namespace is not None:
            meta["namespace"] = f"${{{own}.metadata.namespace}}"
        # one expression per key (keys are never templates): the deploy engine reads a template's labels and
        # annotations as maps
        for part, keys in (("labels", self.label_keys()), ("annotations", self.annotation_keys())):
            if keys:
                meta[part] = {k: f"${{{own}.metadata.{part}[{json.dumps(k)}]}}" for k in keys}
        if self.retained:
            meta.setdefault("annotations", {})[inv.DELETION_POLICY] = "Retain"
        out: dict[str, Any] = {"apiVersion": self.api_version, "kind": self.kind, "metadata": meta}
        for key in self.top_keys:
            out[key] = f"${{{own}.{key}}}"
        return out

    def external_ref(self) -> dict[str, Any]:
        """The resource as a kro ``externalRef`` named by the instance's spec (kro waits until it exists)."""
        own = f"schema.spec.{self.rid}"
        meta = {"name": f"${{{own}.metadata.name}}"}
        if self.namespace is not None:
            meta["namespace"] = f"${{{own}.metadata.namespace}}"
        return {"apiVersion": self.api_version, "kind": self.kind, "metadata": meta}

    def label_keys(self) -> list[str]:
        meta = self.res.spec.get("metadata") or {}
        return list(dict.fromkeys([*(meta.get("labels") or {}), *self.res.labelsTemplate]))

    def annotation_keys(self) -> list[str]:
        meta = self.res.spec.get("metadata") or {}
        return list(dict.fromkeys([*(meta.get("annotations") or {}), *self.res.annotationsTemplate]))


@dataclass
class LoadedForm:
    """A LynqForm ready for `Hub.form`: its RGD, its spec function and its policies."""

    doc: FormDoc
    file: str
    resources: list[LoadedResource]
    deps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.doc.metadata.name

    def creates_namespaces(self) -> set[str]:
        """The Namespace names the form creates, as written (template text)."""
        return {r.name_source for r in self.resources if r.kind == "Namespace"}

    def uses_namespaces(self) -> set[str]:
        """The namespaces the form's resources go to, as written (template text)."""
        return {r.namespace_source for r in self.resources if r.namespace_source}

    def kind(self, hub: str, *, whole: bool = False) -> str:
        """The instance kind: ``Lynq<Hub><Form>`` (``LynqMultiTierNodesApiTier``), unique across hubs (``whole``:
        ``hub`` is the whole name to spell)."""
        text = hub if whole else f"{hub}-{self.name}"
        return "Lynq" + "".join(w[:1].upper() + w[1:] for w in _ID_WORD.split(text) if w)

    def rgd(
        self, hub: str, ids: list[str] | None = None, external: list[str] | None = None, part: str = ""
    ) -> dict[str, Any]:
        """The form as a ResourceGraphDefinition (one ``object`` spec field per resource); with ``ids`` only those
        resources, ``external`` (ids) as ``externalRef`` nodes named by the spec, and ``part`` added to the RGD's
        name and kind."""
        chosen = [r for r in self.resources if ids is None or r.rid in ids]
        refs = [r for r in self.resources if r.rid in (external or [])]
        secret_fields = [f"{r.rid}.{key}.*" for r in chosen if r.kind == "Secret" for key in ("data", "stringData")]
        annotations = {SECRET_FIELDS: ",".join(secret_fields)} if secret_fields else {}
        suffix = f"-{part}" if part else ""
        return {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "ResourceGraphDefinition",
            "metadata": {
                "name": f"lynq-{hub}-{self.name}{suffix}"[:253],
                **({"annotations": annotations} if annotations else {}),
            },
            "spec": {
                "schema": {
                    "apiVersion": "v1alpha1",
                    "kind": self.kind(f"{hub}-{self.name}{suffix}", whole=True),
                    "group": GROUP,
                    "spec": {r.rid: "object" for r in self.resources if r in chosen or r in refs},
                },
                "resources": [
                    {"id": r.rid, "externalRef": r.external_ref()}
                    if r in refs
                    else {"id": r.rid, "template": r.template([self._rid(d) for d in r.res.dependIds])}
                    for r in self.resources
                    if r in chosen or r in refs
                ],
            },
        }

    def hub_ids(self) -> list[str]:
        """kro mode: the ids of the resources the hub applies itself (`pykro.hub._split`): a Secret, and those
        with ``creationPolicy: Once``, ``ignoreFields``, ``timeoutSeconds`` or ``deletionPolicy: Retain`` (kro
        cannot honour them), with what they depend on (``dependIds``, the Namespace they go to)."""
        by_id = {r.res.id: r for r in self.resources}
        spaces = {r.name_source: r for r in self.resources if r.kind == "Namespace"}
        chosen: set[str] = set()

        def add(r: LoadedResource) -> None:
            if r.rid in chosen:
                return
            chosen.add(r.rid)
            for dep in r.res.dependIds:
                add(by_id[dep])
            if r.namespace_source in spaces:
                add(spaces[r.namespace_source])

        for r in self.resources:
            if (
                r.kind == "Secret"
                or r.res.creationPolicy == "Once"
                or r.res.ignoreFields
                or "timeoutSeconds" in r.res.model_fields_set
                or r.retained
            ):
                add(r)
        return [r.rid for r in self.resources if r.rid in chosen]

    def external_ids(self, hub_ids: list[str]) -> list[str]:
        """The hub-applied resources (``hub_ids``) that kro's resources depend on: externalRefs of the kro part."""
        needed = {self._rid(d) for r in self.resources if r.rid not in hub_ids for d in r.res.dependIds}
        return [rid for rid in hub_ids if rid in needed]

    def once_ids(self) -> list[str]:
        """Resources with ``creationPolicy: Once`` (created if absent, never updated)."""
        return [r.rid for r in self.resources if r.res.creationPolicy == "Once"]

    def _rid(self, lynq_id: str) -> str:
        return next(r.rid for r in self.resources if r.res.id == lynq_id)

    def spec_function(self, variables: Callable[[Row], dict[str, Any]]) -> Callable[[Row], dict[str, Any]]:
        """The hub's spec function: every resource rendered with the row's values."""

        def spec(row: Row) -> dict[str, Any]:
            data = variables(row)
            out: dict[str, Any] = {}
            for r in self.resources:
                try:
                    out[r.rid] = r.render(data)
                except RenderError as exc:
                    raise RowError(
                        f"resource {r.res.id!r} does not render: {exc.what}",  # the hub adds the row uid and form
                        where=f"{self.file}: {exc.where}",
                        fix=exc.fix,
                    ) from None
                problem = rendered_problem(r, out[r.rid])  # what sync's apply would refuse, refused by plan too
                if problem is not None:
                    path, what, fix = problem
                    raise RowError(f"resource {r.res.id!r}: {what}", where=f"{self.file}: {path}", fix=fix)
            return out

        return spec

    def policies(self) -> dict[str, Any]:
        """`Hub.form` keyword arguments of the form's policies."""
        conflicts = {r.res.conflictPolicy for r in self.resources}
        ignore: dict[str, list[str]] = {}
        timeouts: dict[str, float] = {}
        for r in self.resources:
            paths = list(r.res.ignoreFields)
            if r.res.creationPolicy == "Once":
                paths += [f"$.{key}" for key in r.top_keys if key not in paths]
                if r.kind == "Secret" and "data" not in r.top_keys:
                    paths.append("$.data")
            if paths:
                ignore[r.rid] = paths
            if "timeoutSeconds" in r.res.model_fields_set:
                timeouts[r.rid] = float(r.res.timeoutSeconds)
        rollout = self.doc.spec.rollout
        return {
            "conflict": "force" if conflicts == {"Force"} else "stuck",
            "ignore_fields": ignore or None,
            "timeouts": timeouts or None,
            "max_skew": rollout.maxSkew if rollout is not None and rollout.maxSkew > 0 else None,
            "timeout": float(rollout.progressDeadlineSeconds)
            if rollout is not None and "progressDeadlineSeconds" in rollout.model_fields_set
            else None,
        }

    def kro_split(self) -> tuple[list[str], list[str], list[str]] | None:
        """kro mode: the ids of the resources the hub applies, kro's, and the hub's that kro's depend on (its
        externalRefs); None when kro can apply every resource."""
        hub_ids = self.hub_ids()
        if not hub_ids:
            return None
        return hub_ids, [r.rid for r in self.resources if r.rid not in hub_ids], self.external_ids(hub_ids)


def _static(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not value or "{{" in value:
        raise PykroError(
            f"{what} must be written as plain text (found {value!r})",
            where=where,
            fix=f"Write the resource's {what} without a template, e.g. apps/v1 / Deployment.",
        )
    return value


def _refuse(r: TResource, where: str) -> None:
    """Stop on what pykro cannot honour (each with its reason and fix)."""
    if r.patchStrategy != "apply":
        raise PykroError(
            f"patchStrategy {r.patchStrategy!r} is not supported: pykro applies every object with server-side apply",
            where=f"{where}.patchStrategy",
            fix="Remove it (apply is the default).",
        )
    if not r.skipOnDependencyFailure:
        raise PykroError(
            "skipOnDependencyFailure: false is not supported: pykro never applies a resource whose dependencies failed",
            where=f"{where}.skipOnDependencyFailure",
            fix="Remove it, or remove the dependency from dependIds.",
        )
    if not r.waitForReady:
        raise PykroError(
            "waitForReady: false is not supported: pykro waits for every resource of a tenant to be ready",
            where=f"{where}.waitForReady",
            fix="Remove it.",
        )


def load_form(doc: FormDoc, file: str) -> LoadedForm:
    """``doc`` checked and its templates parsed; every problem names ``file`` and the YAML path."""
    resources: list[LoadedResource] = []
    seen: dict[str, str] = {}
    rids: dict[str, str] = {}
    for list_name, index, res in doc.spec.resources():
        where = f"spec.{list_name}[{index}]"
        here = f"{file}: {where}"
        if res.id in seen:
            raise PykroError(
                f"resource id {res.id!r} is used twice (also at {seen[res.id]})",
                where=f"{here}.id",
                fix="Give each resource of the form its own id.",
            )
        seen[res.id] = where
        rid = camel(res.id)
        if not rid or not rid[0].isalpha() or rid in rids or rid in ("schema", "spec", "status", "metadata"):
            raise PykroError(
                f"resource id {res.id!r} cannot be a resource id of pykro's graph"
                + (f" (it reads the same as {rids[rid]!r})" if rid in rids else ""),
                where=f"{here}.id",
                fix="Start it with a letter and use letters, digits and '-'.",
            )
        rids[rid] = res.id
        _refuse(res, here)
        spec = res.spec
        api_version = _static(spec.get("apiVersion"), f"{here}.spec.apiVersion", "apiVersion")
        kind = _static(spec.get("kind"), f"{here}.spec.kind", "kind")
        expected = RESOURCE_LISTS[list_name]
        if expected is not None and kind != expected:
            raise PykroError(
                f"a {kind} in {list_name}, which holds {expected} objects",
                where=f"{here}.spec.kind",
                fix=f"Move it to the list of {kind} objects, or to manifests.",
            )
        meta = spec.get("metadata") or {}
        if not isinstance(meta, dict):
            raise PykroError("metadata is not a mapping", where=f"{here}.spec.metadata", fix="Write a mapping.")
        unknown = sorted(set(meta) - _META_KEYS)
        if unknown:
            raise PykroError(
                f"metadata.{unknown[0]} is not supported in a LynqForm resource",
                where=f"{here}.spec.metadata.{unknown[0]}",
                fix="Use name, namespace, labels and annotations (or nameTemplate, labelsTemplate, …).",
            )
        name_source = res.nameTemplate or meta.get("name")
        if not isinstance(name_source, str) or not name_source:
            raise PykroError(
                "the resource has no name", where=f"{here}.nameTemplate", fix='Add e.g. nameTemplate: "{{ .uid }}-app".'
            )
        ns_source = res.targetNamespace or meta.get("namespace")
        body_tree = {k: v for k, v in spec.items() if k not in ("apiVersion", "kind")}
        body_tree["metadata"] = {k: v for k, v in meta.items() if k in ("labels", "annotations")}

        def compiled(tree: Any, path: str, kind: str | None = kind) -> Compiled:
            return compile_tree(tree, kind, path, file)

        name_path = f"{where}.nameTemplate" if res.nameTemplate else f"{where}.spec.metadata.name"
        ns_path = f"{where}.targetNamespace" if res.targetNamespace else f"{where}.spec.metadata.namespace"
        resources.append(
            LoadedResource(
                rid=rid,
                res=res,
                where=where,
                api_version=api_version,
                kind=kind,
                body=compiled(body_tree, f"{where}.spec"),
                name=compiled(name_source, name_path) if "{{" in name_source else name_source,
                namespace=None
                if not ns_source
                else (compiled(ns_source, ns_path) if "{{" in str(ns_source) else str(ns_source)),
                labels=compiled({"labelsTemplate": dict(res.labelsTemplate)}, where, None),
                annotations=compiled({"annotationsTemplate": dict(res.annotationsTemplate)}, where, None),
                top_keys=[k for k in spec if k not in ("apiVersion", "kind", "metadata")],
                name_source=name_source,
                namespace_source=str(ns_source or ""),
            )
        )
    if not resources:
        raise PykroError("the form has no resources", where=f"{file}: spec", fix="Add e.g. deployments: [...].")
    for r in resources:  # a mistake no template writes: once, at load (not for every row)
        problem = static_problem(r)
        if problem is not None:
            path, what, fix = problem
            raise PykroError(f"resource {r.res.id!r}: {what}", where=f"{file}: {path}", fix=fix)
    conflicts = {r.res.conflictPolicy for r in resources}
    if len(conflicts) > 1:
        first = next(r for r in resources if r.res.conflictPolicy == "Force")
        raise PykroError(
            "conflictPolicy differs between the form's resources; pykro applies one conflict policy per form",
            where=f"{file}: {first.where}.conflictPolicy",
            fix="Give every resource of the form the same conflictPolicy.",
        )
    kept = {r.namespace_source for r in resources if r.res.deletionPolicy == "Retain" and r.namespace_source}
    for r in resources:  # deleting the namespace would delete what the form retains in it
        r.holds_retained = r.kind == "Namespace" and r.name_source in kept
    form = LoadedForm(doc, file, resources)
    _check_dependencies(form)
    return form


def _check_dependencies(form: LoadedForm) -> None:
    ids = {r.res.id: r for r in form.resources}
    for r in form.resources:
        for i, dep in enumerate(r.res.dependIds):
            if dep not in ids:
                raise PykroError(
                    f"dependIds names {dep!r}, which is not a resource of form {form.name!r}",
                    where=f"{form.file}: {r.where}.dependIds[{i}]",
                    fix=f"Use one of: {', '.join(sorted(ids))}.",
                )
            if dep == r.res.id:
                raise PykroError(
                    f"resource {dep!r} depends on itself",
                    where=f"{form.file}: {r.where}.dependIds[{i}]",
                    fix="Remove it from its own dependIds.",
                )
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(rid: str) -> None:
        state[rid] = 1
        stack.append(rid)
        for dep in ids[rid].res.dependIds:
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep]
                raise PykroError(
                    f"dependIds form a cycle: {' → '.join(cycle)}",
                    where=f"{form.file}: {ids[rid].where}.dependIds",
                    fix="Remove one of these dependencies.",
                )
            if dep not in state:
                visit(dep)
        stack.pop()
        state[rid] = 2

    for rid in ids:
        if rid not in state:
            visit(rid)
