"""`pykro render FILE[:NAME] --rgd | --manifests | --helm DIR | --kustomize DIR | --compose FILE`: a Python
composition as a kro RGD, as plain manifests, or as a Helm chart, a Kustomize base with overlays or a Compose file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import typer

from pykro.cli._files import load_doc
from pykro.errors import PykroError

__all__ = ["render"]

_TARGET = typer.Argument(..., help="A Python file defining a @composition, optionally FILE:NAME.")
_RGD = typer.Option(False, "--rgd", help="Print the ResourceGraphDefinition.")
_MANIFESTS = typer.Option(False, "--manifests", help="Print plain manifests for a concrete spec.")
_SET = typer.Option(None, "--set", help="A spec value, KEY=VALUE (dots for nested fields); repeatable.")
_VALUES = typer.Option(None, "--values", "-f", help="A YAML file of spec values; repeatable.")
_NAME = typer.Option(None, "--name", help="The instance name (default: spec.name, or the composition's name).")
_NAMESPACE = typer.Option(None, "--namespace", "-n", help="Put every namespaced object in this namespace.")
_OBSERVED = typer.Option(None, "--observed", help="YAML mapping of resource id -> live fields (e.g. a clusterIP).")
_OUT = typer.Option(None, "--output-dir", "-o", help="Write one file per object into this directory.")
_HELM = typer.Option(None, "--helm", help="Write a Helm chart (values from the spec) into this directory.")
_KUSTOMIZE = typer.Option(None, "--kustomize", help="Write a Kustomize base and overlays into this directory.")
_OVERLAY = typer.Option(
    None,
    "--overlay",
    help="With --kustomize: an overlay NAME=VALUES.yaml (spec values of one environment); repeatable.",
)
_COMPOSE = typer.Option(None, "--compose", help="Write a Compose file for a concrete spec (--set/-f) to this path.")
_INCLUDE_SECRETS = typer.Option(
    False, "--include-secrets", help="With --helm/--kustomize/--compose: write Secret values into the files."
)


def render(
    target: str = _TARGET,
    rgd: bool = _RGD,
    manifests: bool = _MANIFESTS,
    sets: list[str] | None = _SET,
    values: list[Path] | None = _VALUES,
    name: str | None = _NAME,
    namespace: str | None = _NAMESPACE,
    observed: Path | None = _OBSERVED,
    output_dir: Path | None = _OUT,
    helm: Path | None = _HELM,
    kustomize: Path | None = _KUSTOMIZE,
    overlays: list[str] | None = _OVERLAY,
    compose: Path | None = _COMPOSE,
    include_secrets: bool = _INCLUDE_SECRETS,
) -> None:
    """Render a composition: its RGD (--rgd), the manifests of one instance (--manifests), a Helm chart (--helm), a
    Kustomize tree (--kustomize) or a Compose file (--compose)."""
    from pykro.authoring._loader import load_composition

    if name is not None or namespace is not None:
        from pykro.deploy._names import check_name, check_namespace

        if name is not None:
            check_name(name, where="--name")
        if namespace is not None:
            check_namespace(namespace, where="-n/--namespace")
    chosen = [flag for flag, on in _modes(rgd, manifests, helm, kustomize, compose) if on]
    if len(chosen) != 1:
        raise PykroError(
            "choose one of --rgd, --manifests, --helm, --kustomize or --compose"
            + (f" (got {', '.join(chosen)})" if chosen else ""),
            where="pykro render",
            fix="Keep exactly one of them.",
        )
    if overlays and kustomize is None:
        raise PykroError("--overlay only applies to --kustomize", where="pykro render", fix="Add --kustomize DIR.")
    if include_secrets and not (helm or kustomize or compose):
        raise PykroError(
            "--include-secrets only applies to --helm, --kustomize and --compose",
            where="pykro render",
            fix="Drop it (--manifests always prints the objects as they are).",
        )
    comp = load_composition(target)
    if helm is not None:
        if sets or values or name or namespace or observed or output_dir:
            raise PykroError(
                "--helm writes a chart for every spec: --set/-f/--name/-n/--observed/-o do not apply",
                where="pykro render",
                fix="Pass values to `helm template` or `helm install` instead.",
            )
        from pykro.render._helm import write_chart

        for path in write_chart(comp.graph, helm, include_secrets=include_secrets):
            typer.echo(str(path))
        return
    if rgd:
        given = [
            flag
            for flag, v in (
                ("--set", sets),
                ("-f", values),
                ("--name", name),
                ("-n", namespace),
                ("--observed", observed),
            )
            if v
        ]
        if given:
            raise PykroError(
                f"{'/'.join(given)} only apply to --manifests (an RGD is the same for every instance)",
                where="pykro render",
                fix="Drop them with --rgd.",
            )
        _emit([comp.to_rgd()], output_dir)
        return
    if kustomize is not None:
        if observed is not None or output_dir is not None:
            raise PykroError(
                "--observed and -o/--output-dir do not apply to --kustomize",
                where="pykro render",
                fix="Drop them (the tree is written into the --kustomize directory).",
            )
        _kustomize(comp, kustomize, sets or [], values or [], overlays or [], name, namespace, include_secrets)
        return
    from pykro.runtime._values import spec_from_options

    spec, found_name, found_namespace = spec_from_options(
        comp, sets or [], values or [], namespace=namespace, name=name
    )
    if name is None and found_name is not None:  # an instance object given with -f names the instance
        from pykro.deploy._names import check_name

        name = check_name(found_name, where="metadata.name of the instance (-f)")
    if namespace is None and found_namespace is not None:
        from pykro.deploy._names import check_namespace

        namespace = check_namespace(found_namespace, where="metadata.namespace of the instance (-f)")
    live: dict[str, Any] | None = None
    if observed is not None:
        from pykro.render._manifests import check_observed

        live = load_doc(observed, what="--observed file")
        check_observed(comp.graph, live, where=str(observed))
    if compose is not None:
        if output_dir is not None:
            raise PykroError("-o/--output-dir does not apply to --compose", where="pykro render", fix="Drop -o.")
        _compose(comp, spec, compose, name, namespace, live, include_secrets)
        return
    objects = comp.to_manifests(spec, name=name, namespace=namespace, observed=live)
    _emit(objects, output_dir)


def _kustomize(
    comp: Any,
    directory: Path,
    sets: list[str],
    values: list[Path],
    overlays: list[str],
    name: str | None,
    namespace: str | None,
    include_secrets: bool,
) -> None:
    """A base from --set/-f (else from the first overlay) and one overlay per --overlay NAME=FILE, whose values go
    on top of the base's."""
    from pykro.render._kustomize import check_overlay_name, write_kustomize
    from pykro.runtime._values import read_values_file, spec_from_options

    parsed: list[tuple[str, Path]] = []
    for item in overlays:
        label, sep, file = item.partition("=")
        if not sep or not label or not file:
            raise PykroError(f"{item!r} is not NAME=VALUES.yaml", where="--overlay", fix="E.g. --overlay dev=dev.yaml.")
        check_overlay_name(label, where="--overlay")
        parsed.append((label, Path(file)))
    if len({label for label, _ in parsed}) != len(parsed):
        raise PykroError("two --overlay options share a name", where="--overlay", fix="Give each overlay its own name.")
    read: dict[Path, Any] = {}  # each file read once: a pipe (-f /dev/stdin, <(...)) gives its text once

    def once(path: Path) -> Any:
        if path not in read:
            read[path] = read_values_file(path)
        return copy.deepcopy(read[path])

    def spec(files: list[Path]) -> dict[str, Any]:
        return spec_from_options(comp, sets, files, read=once)[0]

    base_files = list(values) if (sets or values or not parsed) else [parsed[0][1]]
    base = comp.to_manifests(spec(base_files), name=name, namespace=namespace)
    rendered = {
        label: comp.to_manifests(spec([*values, file]), name=name, namespace=namespace) for label, file in parsed
    }
    for path in write_kustomize(base, rendered, directory, include_secrets=include_secrets):
        typer.echo(str(path))


def _compose(
    comp: Any,
    spec: dict[str, Any],
    path: Path,
    name: str | None,
    namespace: str | None,
    live: dict[str, Any] | None,
    include_secrets: bool,
) -> None:
    """The manifests of one instance as a Compose file; objects Compose cannot hold are named on stderr."""
    from pykro.render._compose import graph_dependencies, write_compose
    from pykro.render._manifests import manifests

    values = comp.spec_values(spec)
    instance = name or (values.get("name") if isinstance(values.get("name"), str) else None) or comp.name
    ids: dict[tuple[str, str], str] = {}
    objects = manifests(comp.graph, values, name=instance, namespace=namespace, observed=live, node_ids=ids)
    result = write_compose(objects, path, depends=graph_dependencies(comp.graph, ids), include_secrets=include_secrets)
    typer.echo(str(path))
    if result.skipped:
        typer.echo(f"not expressible in Compose, left out: {', '.join(result.skipped)}", err=True)


def _modes(
    rgd: bool, manifests: bool, helm: Path | None, kustomize: Path | None, compose: Path | None
) -> list[tuple[str, bool]]:
    return [
        ("--rgd", rgd),
        ("--manifests", manifests),
        ("--helm", helm is not None),
        ("--kustomize", kustomize is not None),
        ("--compose", compose is not None),
    ]


def _emit(docs: list[dict[str, Any]], output_dir: Path | None) -> None:
    if output_dir is None:
        from pykro import _yamlio as yamlio

        typer.echo(yamlio.dump_all(docs) if len(docs) > 1 else yamlio.dump(docs[0]), nl=False)
        return
    from pykro.render import write_objects

    try:
        written = write_objects(docs, output_dir)
    except OSError as exc:
        raise PykroError(
            f"cannot write the manifests: {exc.strerror}" + (f" ({exc.filename})" if exc.filename else ""),
            where=f"-o/--output-dir {output_dir}",
            fix="Pass a directory you can write to (it is created if missing).",
        ) from None
    for path in written:
        typer.echo(str(path))
