"""`pykro rgd ...`: validate, inspect and run any kro ResourceGraphDefinition offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pykro.cli._files import load_docs
from pykro.errors import PykroError, ValidationError, terminal_safe

if TYPE_CHECKING:  # the graph and runtime load when a command runs, not for `pykro --help`
    from pykro.graph import Graph
    from pykro.graph._secrets import Redactor
    from pykro.runtime import Expansion

__all__ = ["app", "crd", "expand_cmd", "order", "validate"]

app = typer.Typer(help="Validate, inspect and expand kro ResourceGraphDefinitions offline.", no_args_is_help=True)

_FILE = typer.Argument(..., help="The RGD YAML file.")
_INSTANCE = typer.Option(..., "--instance", "-i", help="A YAML file with one or more instances of the RGD's kind.")
_OBSERVED = typer.Option(None, "--observed", help="A directory of YAML files with live objects.")
_SIMULATE = typer.Option(False, "--simulate-ready", help="Apply and make objects ready until nothing changes.")
_OUTPUT = typer.Option(None, "--output", "-o", help="yaml or json (default: a readable report).")


def _graph(file: Path) -> Graph:
    from pykro.graph import Graph

    if file.suffix == ".py":
        raise ValidationError(
            "is a Python file; `pykro rgd` commands read an RGD YAML file",
            where=str(file),
            fix=f"Render the composition's RGD first: pykro render {file} --rgd > rgd.yaml.",
        )
    return Graph.from_file(str(file))


@app.command()
def validate(file: Path = _FILE) -> None:
    """Check an RGD the way kro's graph builder does."""
    graph = _graph(file)
    typer.echo(
        f"{file}: valid ResourceGraphDefinition {graph.name!r} "
        f"({graph.instance_api_version} {graph.kind}, {len(graph.resources)} resources)"
    )


@app.command()
def crd(file: Path = _FILE) -> None:
    """Print the CustomResourceDefinition kro generates for the instance kind."""
    from pykro import _yamlio as yamlio

    typer.echo(yamlio.dump(_graph(file).crd()), nl=False)


@app.command()
def order(file: Path = _FILE) -> None:
    """Print the topological order (creation order) of the resources, one id per line."""
    for rid in _graph(file).topological_order:
        typer.echo(rid)


@app.command(name="expand")
def expand_cmd(
    file: Path = _FILE,
    instance: Path = _INSTANCE,
    observed: Path | None = _OBSERVED,
    simulate: bool = _SIMULATE,
    output: str | None = _OUTPUT,
) -> None:
    """Expand each instance in the file: the objects kro would create, each resource's state, and the status."""
    if output not in (None, "yaml", "json"):
        raise PykroError(f"unknown output format {output!r}", where="--output", fix="Use -o yaml or -o json.")
    from pykro import _yamlio as yamlio
    from pykro.graph._depth import check_depth
    from pykro.graph._naming import check_names
    from pykro.graph._templates import check_object
    from pykro.render._manifests import check_fields
    from pykro.runtime import expand, observed_from_objects, reconcile_passes, simulate_ready
    from pykro.runtime._values import check_spec

    graph = _graph(file)
    docs = [doc for doc in load_docs(instance) if doc is not None]
    if not docs:
        raise ValidationError("the file holds no instance", where=str(instance), fix="Put an instance object in it.")
    for index, doc in enumerate(docs):
        where = f"{instance} (document {index + 1})" if len(docs) > 1 else str(instance)
        if not isinstance(doc, dict):
            raise ValidationError("an instance must be a mapping (an object)", where=where, fix="Fix that document.")
        found = (doc.get("apiVersion", graph.instance_api_version), doc.get("kind", graph.kind))
        if found != (graph.instance_api_version, graph.kind):
            raise ValidationError(
                f"the document is a {found[1]} ({found[0]}), not an instance of this RGD",
                where=where,
                fix=f"Give a {graph.kind} object (apiVersion: {graph.instance_api_version}).",
            )
        _check_instance(graph, doc, where)
        check_spec(graph.openapi, doc.get("spec") or {}, where=where, what=f"{graph.kind} spec", graph=graph)  # strict
    objects: list[Any] = []
    origin: dict[int, str] = {}  # id(object) -> its file
    if observed is not None:
        if not observed.is_dir():
            raise PykroError(f"{observed} is not a directory", where="--observed", fix="Pass a directory of YAML.")
        for path in sorted(observed.glob("*.y*ml")):
            for doc in load_docs(path):
                check_depth(doc, "the observed object", source=str(path))
                if not isinstance(doc, dict):
                    raise ValidationError("an observed object must be a mapping", where=str(path), fix="Fix it.")
                check_fields(str(doc.get("apiVersion", "")), str(doc.get("kind", "")), doc, f"{path}:")
                objects.append(doc)
                origin[id(doc)] = str(path)
    lives = [observed_from_objects(graph, inst, objects) if observed is not None else {} for inst in docs]
    _check_all_used(objects, origin, lives, graph.kind)
    results: list[Expansion] = []
    for index, inst in enumerate(docs):
        source = f"{instance} (document {index + 1})" if len(docs) > 1 else str(instance)
        live = lives[index]
        if simulate:
            results.append(reconcile_passes(graph, inst, simulate_ready, observed=live, source=source))
        else:
            results.append(expand(graph, inst, live, source=source))
        check_names(graph.kind, inst["metadata"]["name"], results[-1].objects, where=source)
        for obj in results[-1].objects:  # what the API server would refuse when kro applies it
            check_object(obj, f"{source}: {obj.get('kind')} {(obj.get('metadata') or {}).get('name')}")
    masks = [_redactor(graph, r) for r in results]
    if output == "yaml":
        shown_yaml = [doc for r, m in zip(results, masks, strict=True) for doc in (*r.objects, _instance(graph, r, m))]
        typer.echo(yamlio.dump_all(shown_yaml), nl=False)
    elif output == "json":
        shown = [_as_json(graph, r, m) for r, m in zip(results, masks, strict=True)]
        typer.echo(json.dumps(shown[0] if len(shown) == 1 else shown, indent=2))
    else:
        for result, mask in zip(results, masks, strict=True):
            _report(graph, result, mask)
    if simulate:
        _fail_on_pending(results, instance)


def _check_instance(graph: Graph, doc: dict[str, Any], where: str) -> None:
    """What the API server refuses outside the spec: a top-level or metadata field an object cannot have, a namespace
    that is not a DNS-1123 label (the spec and the name are checked by check_spec and check_names)."""
    from pykro.deploy._names import check_namespace
    from pykro.graph._naming import did_you_mean
    from pykro.resources._kinds import kind_schema, node
    from pykro.resources._typing import child

    for key in doc:
        if key not in ("apiVersion", "kind", "metadata", "spec", "status"):
            raise ValidationError(
                f"a {graph.kind} has no field {key!r} (kubectl would refuse it)",
                where=where,
                fix="Put spec values under spec:, or remove it." + did_you_mean(str(key), ("metadata", "spec")),
            )
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ValidationError("metadata must be a mapping", where=where, fix="Write name: under metadata:.")
    root = kind_schema("v1", "ConfigMap")  # ObjectMeta is the same for every kind
    fields = sorted((child(node(root), "metadata") or {}).get("properties") or {}) if root is not None else []
    for key in meta:
        if fields and key not in fields:
            raise ValidationError(
                f"a {graph.kind} has no field metadata.{key} (kubectl would refuse it)",
                where=where,
                fix="Remove it." + did_you_mean(str(key), fields),
            )
    if meta.get("namespace") is not None:
        check_namespace(meta["namespace"], where=f"{where}: metadata.namespace")


def _check_all_used(objects: list[Any], origin: dict[int, str], lives: list[dict[str, Any]], kind: str) -> None:
    """An observed object no resource of any instance matches would be ignored: refuse it, naming its file."""
    used = {id(o) for live in lives for v in live.values() for o in (v if isinstance(v, list) else [v])}
    for obj in objects:
        if id(obj) not in used:
            if not (isinstance(obj, dict) and obj.get("apiVersion") and obj.get("kind")):
                raise ValidationError(
                    "an observed object needs apiVersion, kind and metadata.name",
                    where=origin[id(obj)],
                    fix="Give the live objects as `kubectl get -o yaml` prints them.",
                )
            meta = obj.get("metadata") or {}
            what = f"{obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name')}"
            raise ValidationError(
                f"the observed object {what.replace(' /', ' ')} matches no resource of the {kind} instance(s), so it "
                "would be ignored",
                where=origin[id(obj)],
                fix="Check its apiVersion, kind, name and namespace against the objects `pykro rgd expand` prints, "
                "or remove it.",
            )


def _fail_on_pending(results: list[Expansion], instance: Path) -> None:
    """With --simulate-ready every resource should settle; any that did not is an error (exit code 1)."""
    stuck = []
    for result in results:
        ids = [rid for rid, s in result.states.items() if s.state in ("pending", "error")]
        if ids:
            stuck.append(f"{result.instance['metadata'].get('name', '?')}: " + ", ".join(ids))
    if stuck:
        raise PykroError(
            "resources did not become ready under --simulate-ready (" + "; ".join(stuck) + ")",
            where=str(instance),
            fix="See each resource's state above: a readyWhen or includeWhen that the simulated cluster cannot "
            "satisfy, or a value only a real cluster sets (pass it with --observed DIR).",
        )


def _redactor(graph: Graph, result: Expansion) -> Redactor:
    """The secret values of one expansion: its secret spec fields, Secret template literals and Secret objects."""
    from pykro.graph._secrets import Redactor

    redactor = Redactor()
    redactor.learn_graph(graph)
    redactor.learn_spec(graph, result.instance.get("spec") or {})
    for obj in result.objects:
        redactor.learn_object(obj)
    return redactor


def _instance(graph: Graph, result: Expansion, redactor: Redactor) -> dict[str, Any]:
    """The instance as printed: secret spec fields masked, secret values echoed by its status removed (the objects
    are printed as they are, like `pykro render --manifests`)."""
    from pykro.graph._secrets import mask_object

    shown: dict[str, Any] = redactor.data(mask_object(result.instance, graph))
    return shown


def _as_json(graph: Graph, result: Expansion, redactor: Redactor) -> dict[str, Any]:
    return {
        "objects": result.objects,
        "states": {
            rid: {
                "state": s.state,
                "kroState": s.node_state,
                "waitingOn": s.waiting_on,
                "message": redactor.text(s.message) if s.message else s.message,
            }
            for rid, s in result.states.items()
        },
        "instance": _instance(graph, result, redactor),
    }


def _report(graph: Graph, result: Expansion, redactor: Redactor) -> None:
    from rich.syntax import Syntax
    from rich.table import Table

    from pykro import _yamlio as yamlio
    from pykro.cli._out import console as out

    console = out()
    tty = sys.stdout.isatty()
    for obj in result.objects:
        meta = obj.get("metadata") or {}
        console.rule(f"{obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name', '')}".replace(" /", " "))
        text = yamlio.dump(obj)
        console.print(Syntax(text, "yaml", theme="ansi_dark") if tty else text, end="" if not tty else "\n")
    table = Table(title="Resources", show_lines=False)
    for column in ("id", "state", "kro", "detail"):
        table.add_column(column)
    for rid, state in result.states.items():
        detail = redactor.text(state.message) or (f"{len(state.objects)} object(s)" if state.objects else "")
        table.add_row(rid, state.state, state.node_state, terminal_safe(detail))
    console.print(table)
    status = _instance(graph, result, redactor).get("status") or {}
    console.rule(f"{result.instance.get('kind')} {result.instance['metadata']['name']}: {status.get('state')}")
    fields = {k: v for k, v in status.items() if k not in ("state", "conditions")}
    if fields:
        console.print(yamlio.dump(fields), end="")
    for cond in status.get("conditions", []):
        line = f"{cond['type']}={cond['status']}" + (f" ({cond['message']})" if cond.get("message") else "")
        console.print(terminal_safe(line))
