"""`pykro deploy/status/diff/delete/list`: deploy an RGD file or a Python composition to a cluster (direct mode or
through kro), read instances back, preview changes and delete them. `--local` uses the embedded emulator."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from pykro.cli._files import load_docs
from pykro.cli._out import console
from pykro.errors import PykroError, ValidationError, terminal_safe

DIFF_ERROR = 2
"""`pykro diff`'s exit status when it fails (1 means "there are changes", like `kubectl diff`)."""

_LOCAL = typer.Option(False, "--local", help="Use the embedded emulator (started in the background if needed).")
_KUBECONFIG = typer.Option(None, "--kubeconfig", help="Path of the kubeconfig (default: $KUBECONFIG, ~/.kube/config).")
_CONTEXT = typer.Option(None, "--context", help="kubeconfig context to use.")
_NAMESPACE = typer.Option(None, "-n", "--namespace", help="Namespace (default: the context's, else default).")
_OUTPUT = typer.Option("text", "--output", "-o", help="text, or json (one JSON event per line).")
_MODE = typer.Option("direct", "--mode", help="direct (pykro applies the graph) or kro (kro reconciles it).")
_SET = typer.Option([], "--set", help="Spec value, key.path=value (repeatable; values are YAML scalars).")
_VALUES = typer.Option([], "-f", "--values", help="YAML file with spec values (or an instance object).")
_NAME = typer.Option(None, "--name", help="Instance name (default: the spec's `name`).")
_EXISTING_MODE = typer.Option(
    None, "--mode", help="direct or kro (default: the mode the instance was deployed in; with --file: direct)."
)
_FILE = typer.Option(None, "--file", help="The RGD or composition file (needed for --mode kro).")
_COMPOSITION = typer.Option(None, "--composition", help="Composition (graph) name when several share a name.")
_VERBOSE = typer.Option(False, "--verbose", "-v", help="Show every event, not only warnings.")


@dataclass
class Target:
    """Which cluster: a kubeconfig (or the emulator's), a context and a namespace."""

    kubeconfig: Path | None
    context: str | None
    namespace: str | None


def _check_output(output: str) -> None:
    if output not in ("text", "json"):
        raise ValidationError(f"unknown output format {output!r}", where="-o/--output", fix="Use -o text or -o json.")


def _check_name(name: str, where: str) -> None:
    from pykro.deploy._names import check_name

    check_name(name, where=where)


def _check_seconds(*options: tuple[str, float | None]) -> None:
    """A timeout flag must be a positive, finite number of seconds (checked before anything is read or written)."""
    for flag, value in options:
        if value is not None and not (value > 0 and value != float("inf")):
            raise ValidationError(
                f"{flag} must be a positive number of seconds, not {value:g}", fix=f"E.g. {flag} 300."
            )


def _target(local: bool, kubeconfig: Path | None, context: str | None, namespace: str | None) -> Target:
    if namespace is not None:
        from pykro.deploy._names import check_namespace

        check_namespace(namespace, where="-n/--namespace")
    if local:
        given = [flag for flag, value in (("--kubeconfig", kubeconfig), ("--context", context)) if value is not None]
        if given:
            raise ValidationError(
                f"--local and {'/'.join(given)} name two clusters",
                fix="Use --local for the embedded emulator, or --kubeconfig/--context for another cluster.",
            )
        from pykro.deploy.local import ensure_local

        return Target(ensure_local(), None, namespace)
    return Target(kubeconfig, context, namespace)


# ---------------------------------------------------------------------------------------------- loading sources
def load_source(text: str) -> tuple[Any, dict[str, Any] | None]:
    """``FILE[:NAME]`` -> (a Graph or composition, an instance object found in the same file or None)."""
    from pykro.graph import Graph

    path_text, _, name = text.partition(":") if not Path(text).exists() else (text, "", "")
    path = Path(path_text)
    if not path.exists():
        raise ValidationError("no such file", where=path_text, fix="Check the path.")
    if path.suffix == ".py":
        from pykro.authoring._loader import load_composition

        return load_composition(text), None
    docs = load_docs(path)
    every = [d for d in docs if isinstance(d, dict) and d.get("kind") == "ResourceGraphDefinition"]
    names = [str((d.get("metadata") or {}).get("name")) for d in every]
    rgds = [d for d, n in zip(every, names, strict=True) if n == name] if name else every
    if len(rgds) != 1:
        from pykro.graph._naming import did_you_mean

        if name and every:
            hint = did_you_mean(name, names).strip()
            raise ValidationError(
                f"no ResourceGraphDefinition named {name!r} in this file (it has {', '.join(map(repr, names))})",
                where=str(path),
                fix=hint or "Use FILE:NAME with one of those names.",
            )
        what = "no ResourceGraphDefinition" if not rgds else "several ResourceGraphDefinitions"
        raise ValidationError(f"{what} in this file", where=str(path), fix="Use FILE:NAME to pick one by name.")
    graph = Graph.from_rgd(rgds[0], source=str(path))
    instances = [d for d in docs if isinstance(d, dict) and d.get("kind") == graph.kind]
    if len(instances) > 1:  # one would be used and the others dropped without a word
        raise ValidationError(
            f"{len(instances)} {graph.kind} instances in this file; a deploy takes one",
            where=str(path),
            fix="Keep one instance in the file (give the others with -f, one deploy each).",
        )
    return graph, instances[0] if instances else None


def build_spec(
    values: list[Path],
    sets: list[str],
    base: dict[str, Any] | None,
    source: Any = None,
    base_where: str = "the instance in the RGD file",
    namespace: str | None = None,
    name: str | None = None,
) -> tuple[dict[str, Any], str | None, str | None]:
    """Spec from an instance in the file, -f files and --set values (later wins); also the name and namespace of an
    instance object if one was given (one naming a namespace other than ``namespace``, -n, or a name other than
    ``name``, --name, is an error).
    ``source`` (a Graph, composition or spec model) gives the schema every input is checked against (see
    ``pykro.runtime._values``)."""
    from pykro.runtime._values import spec_from_options

    return spec_from_options(source, sets, values, base, base_where, namespace, name)


def _factory(source: Any, mode: str, target: Target, reporter: Any) -> Any:
    from pykro.deploy import factory

    if mode not in ("direct", "kro"):
        raise ValidationError(f"unknown --mode {mode!r}", fix="Use --mode direct or --mode kro.")
    return factory(  # type: ignore[call-overload]  # mode is checked above
        source,
        mode,
        namespace=target.namespace,
        kubeconfig=target.kubeconfig,
        context=target.context,
        reporter=reporter,
    )


def _print_instance(instance: Any, output: str) -> None:
    data = {
        "name": instance.name,
        "namespace": instance.namespace,
        "composition": instance.composition,
        "mode": instance.mode,
        "state": instance.state,
        "status": {k: v for k, v in instance.status_data.items() if k not in ("conditions", "state")},
    }
    if output == "json":
        sys.stdout.write(json.dumps({"type": "result", **data}, sort_keys=True) + "\n")
    else:
        from pykro import _yamlio as yamlio

        # Plain YAML (its writer escapes tabs and control characters): the text rich would print, without importing it.
        sys.stdout.write(yamlio.dump(data))


# ---------------------------------------------------------------------------------------------- commands
def deploy(
    source: str = typer.Argument(..., metavar="FILE[:NAME]", help="RGD YAML or Python composition file."),
    sets: list[str] = _SET,
    values: list[Path] = _VALUES,
    name: str | None = _NAME,
    mode: str = _MODE,
    namespace: str | None = _NAMESPACE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    local: bool = _LOCAL,
    timeout: float = typer.Option(600.0, "--timeout", help="Seconds to wait for readiness overall."),
    resource_timeout: float | None = typer.Option(None, "--resource-timeout", help="Seconds per resource."),
    no_wait: bool = typer.Option(False, "--no-wait", help="Apply what can be applied now, do not wait."),
    on_failure: str = typer.Option("keep", "--on-failure", help="keep (default) or rollback."),
    force_conflicts: bool = typer.Option(False, "--force-conflicts", help="Take over fields other managers own."),
    force_takeover: bool = typer.Option(
        False, "--force-takeover", help="Take over objects of another instance, or not created by pykro (direct)."
    ),
    switch_mode: bool = typer.Option(
        False,
        "--switch-mode",
        help="With --mode kro: move an instance deployed in direct mode to kro (kro adopts its objects; nothing is "
        "deleted). kro to direct is refused (see docs/deploy.md).",
    ),
    output: str = _OUTPUT,
    verbose: bool = _VERBOSE,
) -> None:
    """Deploy an instance and wait until it is ready; prints the hydrated status."""
    _check_output(output)
    from pykro.deploy import reporter_for

    if name is not None:
        _check_name(name, "--name")
    _check_seconds(("--timeout", timeout), ("--resource-timeout", resource_timeout))
    if on_failure not in ("keep", "rollback"):
        raise ValidationError(f"unknown --on-failure {on_failure!r}", fix="Use keep or rollback.")
    if force_takeover and mode != "direct":
        raise ValidationError("--force-takeover is for --mode direct", fix="Leave it out in kro mode.")
    where = (local, kubeconfig, context, namespace)
    graph_source, spec, found_name, target = _instance_input(source, values, sets, *where, name=name)
    reporter = reporter_for(output, verbose=verbose)
    try:
        fac = _factory(graph_source, mode, target, reporter)
        instance = _interruptible(
            fac.adeploy(
                spec,
                name=name or found_name,
                timeout=timeout,
                resource_timeout=resource_timeout,
                wait=not no_wait,
                on_failure=on_failure,
                force_conflicts=force_conflicts,
                **({"force_takeover": True} if force_takeover else {}),
                **({"switch_mode": True} if switch_mode else {}),
            )
        )
    finally:
        reporter.close()
    _print_instance(instance, output)


def _interruptible(coro: Any) -> Any:
    import asyncio

    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        console().print("interrupted: objects applied so far are kept (`pykro delete NAME` removes them)")
        raise typer.Exit(130) from None


def status(
    name: str = typer.Argument(..., help="Instance name."),
    file: str | None = _FILE,
    composition: str | None = _COMPOSITION,
    mode: str | None = _EXISTING_MODE,
    namespace: str | None = _NAMESPACE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    local: bool = _LOCAL,
    output: str = _OUTPUT,
) -> None:
    """Show an instance's state and status, hydrated from the live objects."""
    _check_output(output)
    _check_name(name, "NAME")
    target = _target(local, kubeconfig, context, namespace)
    graph_source, mode = _existing_graph(target, name, file, composition, mode)
    fac = _factory(graph_source, mode, target, None)
    _print_instance(_interruptible(fac.astatus(name)), output)


def _instance_input(
    source: str,
    values: list[Path],
    sets: list[str],
    local: bool,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
    name: str | None = None,
) -> tuple[Any, dict[str, Any], str | None, Target]:
    """What deploy and diff start from: the graph, the spec, an instance name found in the inputs, the target."""
    from pykro.deploy._names import check_namespace

    if namespace is not None:
        check_namespace(namespace, where="-n/--namespace")
    graph_source, base = load_source(source)
    file = source if Path(source).exists() else source.partition(":")[0]
    spec, found_name, found_ns = build_spec(values, sets, base, graph_source, file, namespace, name)
    if namespace is None and found_ns is not None:
        check_namespace(found_ns, where="metadata.namespace of the instance")
    return graph_source, spec, found_name, _target(local, kubeconfig, context, namespace or found_ns)


def _existing_graph(
    target: Target, name: str, file: str | None, composition: str | None, mode: str | None
) -> tuple[Any, str]:
    """The graph of a deployed instance: from ``--file`` (in ``mode``, default direct), else from its direct-mode
    record or the RGD of its kro instance. Several instances of that name (modes, compositions) are an error unless
    ``--mode``/``--composition`` choose one; a ``--mode`` that is not the instance's is an error."""
    if mode is not None and mode not in ("direct", "kro"):
        raise ValidationError(f"unknown --mode {mode!r}", where="--mode", fix="Use --mode direct or --mode kro.")
    if file:
        return load_source(file)[0], mode or "direct"
    return _recorded_graph(target, name, composition, mode)


def _recorded_graph(target: Target, name: str, composition: str | None, mode: str | None) -> tuple[Any, str]:
    from pykro.deploy._api import Cluster
    from pykro.deploy._direct import graph_of_record, records_named
    from pykro.deploy._errors import DeployError
    from pykro.deploy._kro import graph_of_kro_instance, kro_instances_named

    async def run() -> tuple[Any, str]:
        async with Cluster(kubeconfig=target.kubeconfig, context=target.context, namespace=target.namespace) as c:
            ns = c.namespace
            await c.reachable(ns)
            found = [("direct", comp) for comp in await records_named(c, name, ns, composition)]
            found += [("kro", rgd) for rgd in await kro_instances_named(c, name, ns, composition)]
            chosen = [f for f in found if mode is None or f[0] == mode]
            if len(chosen) > 1:
                listed = ", ".join(f"{m} mode ({comp})" for m, comp in sorted(chosen))
                both = len({m for m, _ in chosen}) > 1
                how = "--mode direct or --mode kro" + (" and --composition" if len(chosen) > 2 else "")
                raise DeployError(
                    f"several instances are named {name!r} in namespace {ns!r}: {listed}",
                    fix=f"Pass {how if both else '--composition'} to choose one (`pykro list` shows them).",
                )
            if not chosen and found:
                m, comp = found[0]
                raise ValidationError(
                    f"instance {name!r} was deployed in {m} mode, not {mode}",
                    where="--mode",
                    fix=f"Leave --mode out (the instance's own mode is used), or pass --mode {m}.",
                )
            if not chosen:  # no instance of that name: the record lookup says what is missing
                return await graph_of_record(c, name, ns, composition), "direct"
            chosen_mode, comp = chosen[0]
            if chosen_mode == "kro":
                graph = await graph_of_kro_instance(c, name, ns, comp)
                if graph is None:  # deleted meanwhile
                    raise DeployError(f"no kro instance named {name!r} in namespace {ns!r}")
                return graph, "kro"
            return await graph_of_record(c, name, ns, comp), "direct"

    result: tuple[Any, str] = _interruptible(run())
    return result


def diff(
    source: str = typer.Argument(..., metavar="FILE[:NAME]", help="RGD YAML or Python composition file."),
    sets: list[str] = _SET,
    values: list[Path] = _VALUES,
    name: str | None = _NAME,
    mode: str = _MODE,
    namespace: str | None = _NAMESPACE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    local: bool = _LOCAL,
    output: str = _OUTPUT,
) -> None:
    """Show what a deploy would change (server-side dry run; nothing is written). Secret values are masked.
    Exit status like `kubectl diff`: 0 no changes, 1 changes, 2 an error."""
    where = (local, kubeconfig, context, namespace)
    try:
        _check_output(output)
        if name is not None:
            _check_name(name, "--name")
        graph_source, spec, found_name, target = _instance_input(source, values, sets, *where, name=name)
        result = _interruptible(_factory(graph_source, mode, target, None).adiff(spec, name=name or found_name))
    except PykroError as exc:
        exc.exit_code = DIFF_ERROR  # type: ignore[attr-defined]
        raise
    if output == "json":
        for e in result.entries:
            sys.stdout.write(json.dumps(e.__dict__, sort_keys=True) + "\n")
    else:
        console().print(terminal_safe(result.render()) or "no changes", end="" if result.entries else "\n")
    if result.changed:
        raise typer.Exit(1)


def delete(
    name: str = typer.Argument(..., help="Instance name."),
    file: str | None = _FILE,
    composition: str | None = _COMPOSITION,
    mode: str | None = _EXISTING_MODE,
    namespace: str | None = _NAMESPACE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    local: bool = _LOCAL,
    timeout: float = typer.Option(600.0, "--timeout", help="Seconds to wait until everything is gone."),
    output: str = _OUTPUT,
    verbose: bool = _VERBOSE,
) -> None:
    """Delete an instance: its objects in reverse dependency waves, waiting until they are gone."""
    _check_output(output)
    from pykro.deploy import reporter_for

    _check_name(name, "NAME")
    _check_seconds(("--timeout", timeout))
    target = _target(local, kubeconfig, context, namespace)
    graph_source, mode = _existing_graph(target, name, file, composition, mode)
    reporter = reporter_for(output, verbose=verbose)
    try:
        kept = _interruptible(_factory(graph_source, mode, target, reporter).adelete(name, timeout=timeout))
    finally:
        reporter.close()
    for obj in kept:
        meta = obj.get("metadata") or {}
        console().print(terminal_safe(f"kept {obj.get('kind')}/{meta.get('name')} (deletion policy Retain)"))


def list_(
    namespace: str | None = _NAMESPACE,
    all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces", help="List every namespace."),
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    local: bool = _LOCAL,
    output: str = _OUTPUT,
) -> None:
    """List the instances pykro deployed (direct mode) and the instances of every RGD (kro mode)."""
    _check_output(output)
    target = _target(local, kubeconfig, context, namespace)
    rows = _interruptible(_list(target, all_namespaces))
    _note_both_modes(rows)
    if output == "json":
        for row in rows:
            sys.stdout.write(json.dumps(row.__dict__, sort_keys=True) + "\n")
        return
    from rich.table import Table

    table = Table(box=None)
    for column in ("NAMESPACE", "NAME", "COMPOSITION", "MODE", "STATE"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.namespace, row.name, row.composition, row.mode, row.state)
    console().print(table)


def _note_both_modes(rows: list[Any]) -> None:
    """A note on stderr for each instance live in both modes (deployed before pykro refused it): two owners of
    the same objects, and the way out that deletes nothing."""
    modes: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        modes.setdefault((row.namespace, row.composition, row.name), set()).add(row.mode)
    for (ns, composition, name), found in sorted(modes.items()):
        if {"direct", "kro"} <= found:
            sys.stderr.write(
                terminal_safe(
                    f"note: instance {name!r} (composition {composition}, namespace {ns}) is deployed in both direct "
                    "and kro mode: both own its objects, and deleting either deletes them. Keep one without deleting "
                    f"anything: `pykro deploy FILE --mode kro --switch-mode -n {ns}` (kro keeps the objects, pykro "
                    "drops its direct-mode record)."
                )
                + "\n"
            )


async def _list(target: Target, all_namespaces: bool) -> list[Any]:
    from pykro.deploy._api import Cluster
    from pykro.deploy._direct import list_instances
    from pykro.deploy._handle import InstanceInfo
    from pykro.deploy._kro import RGD_TYPE

    async with Cluster(kubeconfig=target.kubeconfig, context=target.context, namespace=target.namespace) as c:
        await c.reachable(c.namespace)
        ns = None if all_namespaces else c.namespace
        rows = await list_instances(c, ns)
        if await c.find_type(RGD_TYPE.api_version, RGD_TYPE.kind) is not None:
            for rgd in (await c.list(RGD_TYPE))[0]:
                schema = (rgd.get("spec") or {}).get("schema") or {}
                api = f"{schema.get('group') or 'kro.run'}/{schema.get('apiVersion')}"
                rt = await c.find_type(api, str(schema.get("kind")), refresh=True)
                if rt is None:
                    continue
                for obj in (await c.list(rt, ns if rt.namespaced else None))[0]:
                    meta, st = obj.get("metadata") or {}, obj.get("status") or {}
                    rgd_name = str((rgd.get("metadata") or {}).get("name"))
                    rows.append(
                        InstanceInfo(
                            meta.get("name", ""), meta.get("namespace", ""), rgd_name, "kro", str(st.get("state", ""))
                        )
                    )
        return rows


__all__ = ["build_spec", "delete", "deploy", "diff", "list_", "load_source", "status"]
