"""`pykro render FILE[:NAME] --rgd | --manifests`: a Python composition as a kro RGD or as plain manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from pykro.cli.files import load_doc
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
) -> None:
    """Render a composition: its RGD (--rgd) or the manifests of one instance (--manifests)."""
    from pykro.authoring.loader import load_composition

    if name is not None or namespace is not None:
        from pykro.deploy.names import check_name, check_namespace

        if name is not None:
            check_name(name, where="--name")
        if namespace is not None:
            check_namespace(namespace, where="-n/--namespace")
    if rgd == manifests:
        raise PykroError("choose one of --rgd or --manifests", where="pykro render", fix="Add --rgd or --manifests.")
    comp = load_composition(target)
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
    from pykro.runtime.values import spec_from_options

    spec, found_name, found_namespace = spec_from_options(
        comp, sets or [], values or [], namespace=namespace, name=name
    )
    if name is None and found_name is not None:  # an instance object given with -f names the instance
        from pykro.deploy.names import check_name

        name = check_name(found_name, where="metadata.name of the instance (-f)")
    if namespace is None and found_namespace is not None:
        from pykro.deploy.names import check_namespace

        namespace = check_namespace(found_namespace, where="metadata.namespace of the instance (-f)")
    live: dict[str, Any] | None = None
    if observed is not None:
        from pykro.render.manifests import check_observed

        live = load_doc(observed, what="--observed file")
        check_observed(comp.graph, live, where=str(observed))
    objects = comp.to_manifests(spec, name=name, namespace=namespace, observed=live)
    _emit(objects, output_dir)


def _emit(docs: list[dict[str, Any]], output_dir: Path | None) -> None:
    if output_dir is None:
        from pykro import yamlio

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
