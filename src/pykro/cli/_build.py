"""`pykro build CONTEXT --name NAME [--registry R] [--builder B]`: build a container image tagged by the content of
its sources and print the reference to use in a composition (pinned by digest once pushed)."""

from __future__ import annotations

from pathlib import Path

import typer

_CONTEXT = typer.Argument(..., help="The build context (the folder with the Dockerfile).")
_NAME = typer.Option(..., "--name", help="The image (repository) name, e.g. my-app.")
_REGISTRY = typer.Option(
    None, "--registry", help="Push to this registry (a host, or host/path); the reference is then pinned by digest."
)
_BUILDER = typer.Option(None, "--builder", help="docker, buildah, nerdctl or podman (default: the first found).")
_FILE = typer.Option(None, "--file", "-f", help="The Dockerfile (default: CONTEXT/Dockerfile or Containerfile).")
_PLATFORM = typer.Option(None, "--platform", help="Target platform, e.g. linux/amd64.")


def build(
    context: Path = _CONTEXT,
    name: str = _NAME,
    registry: str | None = _REGISTRY,
    builder: str | None = _BUILDER,
    dockerfile: Path | None = _FILE,
    platform: str | None = _PLATFORM,
) -> None:
    """Build a container image tagged by content hash; print its reference."""
    from pykro.integrations.containers import build as build_image

    image = build_image(context, name, registry=registry, builder=builder, dockerfile=dockerfile, platform=platform)
    typer.echo(image.reference)


__all__ = ["build"]
