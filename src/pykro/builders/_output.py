"""Celestra's writers: ``KubernetesOutput().generate(app, "./k8s/")`` (YAML files), ``HelmOutput`` (a chart),
``KustomizeOutput`` (a base and overlays) and ``DockerComposeOutput`` (a Compose file).

The files hold the objects pykro built and checked; before writing, every object is validated again against the
Kubernetes 1.35 schema. The Helm, Kustomize and Compose files come from the renderers behind ``pykro render
--helm/--kustomize/--compose`` (pykro.render). pykro runs neither kubectl nor helm nor docker: the execution methods
say what to run instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.builders._base import Builder, builder_method, dns_name, unsupported, write_yaml
from pykro.builders._formats import check_formats
from pykro.errors import PykroError
from pykro.schema._kubernetes import validate_object

__all__ = ["DockerComposeOutput", "HelmOutput", "KubernetesOutput", "KustomizeOutput"]

_KUBECTL = "pykro does not run kubectl"


class _FileWriter:
    """What the writers of several files share: ``files``, the files the last generate() wrote."""

    def __init__(self) -> None:
        self._files: list[Path] = []

    @property
    def files(self) -> list[Path]:
        """The files written by the last generate()."""
        return list(self._files)


class KubernetesOutput(_FileWriter):
    """Writes builders' objects as YAML files, one per object (``<kind>-<name>.yaml``)."""

    @builder_method
    def generate(self, resource: Builder | list[Builder], output_dir: str | Path) -> KubernetesOutput:
        """Write the objects of ``resource`` (a builder, an AppGroup or a list of builders) into ``output_dir``."""
        self._files = write_yaml(_objects(resource, "KubernetesOutput"), output_dir)
        return self

    @builder_method
    def validate(self) -> KubernetesOutput:
        """Validate the written files against the Kubernetes 1.35 schema again (they may have been edited)."""
        if not self._files:
            raise PykroError("KubernetesOutput.validate(): nothing was generated yet", fix="Call generate(...) first.")
        for path in self._files:
            try:
                obj = yamlio.load_user(yamlio.read_user_file(path), str(path))
            except OSError as error:
                raise PykroError(f"cannot read {path}: {error.strerror}") from None
            _check([obj], str(path))
        return self


_FORMAT = {
    "KubernetesOutput": "kubernetes",
    "HelmOutput": "helm",
    "KustomizeOutput": "kustomize",
    "DockerComposeOutput": "docker-compose",
}


def _objects(resource: Builder | list[Builder], owner: str) -> list[dict[str, Any]]:
    """The checked objects of a builder, an AppGroup or a list of builders."""
    sources = resource if isinstance(resource, list) else [resource]
    check_formats(sources, _FORMAT[owner])
    objects: list[dict[str, Any]] = []
    for source in sources:
        if not isinstance(source, Builder):
            raise PykroError(
                f"{owner}.generate() takes builders such as App(...), got {type(source).__name__}",
                fix="Pass an App, StatefulApp, AppGroup, ... builder.",
            )
        objects += source.objects()
    _check(objects, "generated")
    return _once(objects, owner)


def _once(objects: list[dict[str, Any]], owner: str) -> list[dict[str, Any]]:
    """Each object once: the same object made by two builders (a shared Secret) is kept once; two different objects
    of one kind, namespace and name (two ``App("web")``) are refused, as the second would replace the first."""
    seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    out = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        key = (
            str(obj.get("apiVersion")),
            str(obj.get("kind")),
            str(meta.get("namespace") or ""),
            str(meta.get("name")),
        )
        if key not in seen:
            seen[key] = obj
            out.append(obj)
        elif seen[key] != obj:
            where = f" in namespace {key[2]!r}" if key[2] else ""
            raise PykroError(
                f"{owner}.generate(): two different {key[1]} objects named {key[3]!r}{where} (made by two builders)",
                fix="Give the builders distinct names.",
            )
    return out


def _check(objects: list[Any], where: str) -> None:
    for obj in objects:
        causes = validate_object(obj)
        if causes:
            secret = obj.get("kind") == "Secret"  # a Secret's message could quote a value: name the field only
            what = causes[0].field if secret else causes[0].message
            raise PykroError(
                f"{obj.get('kind')} {obj.get('metadata', {}).get('name')!r} is not valid: {what}",
                where=where,
                fix="Fix the builder call (or the file) that sets it.",
            )


_HOW = "kubectl yourself on the generated directory (kubectl apply -f DIR), or a pykro composition and pykro deploy"
for _name in (
    "run",
    "apply",
    "delete",
    "replace",
    "patch",
    "get",
    "describe",
    "edit",
    "logs",
    "exec",
    "port_forward",
    "scale",
    "rollout",
    "status",
    "health",
    "events",
    "diff",
):
    setattr(KubernetesOutput, _name, unsupported(_name, _KUBECTL, _HOW))


class HelmOutput(_FileWriter):
    """Writes builders' objects as a Helm chart (``Chart.yaml``, ``values.yaml``, ``values.schema.json``,
    ``templates/``): ``HelmOutput("web").generate(app, "./chart/")``. Literal Secret values are read from
    ``.Values.pykroSecrets`` (left empty, so ``helm install`` stops until they are given) unless ``include_secrets``."""

    def __init__(self, chart_name: str = "app", *, include_secrets: bool = False) -> None:
        self._name = dns_name(chart_name, "chart name", label=True)
        super().__init__()
        self._include_secrets = include_secrets

    @builder_method
    def generate(self, resource: Builder | list[Builder], output_dir: str | Path) -> HelmOutput:
        """Write the chart of ``resource`` (a builder, an AppGroup or a list of builders) into ``output_dir``."""
        from pykro.render._helm import objects_graph, write_chart

        graph = objects_graph(_objects(resource, "HelmOutput"), self._name)
        self._files = write_chart(graph, output_dir, include_secrets=self._include_secrets)
        return self


class KustomizeOutput(_FileWriter):
    """Writes builders' objects as a Kustomize tree: ``base/`` from ``resource`` and ``overlays/<name>/`` from each
    entry of ``overlays`` (the builders of that environment): ``KustomizeOutput().generate(app, "./k8s/",
    overlays={"prod": prod_app})``. Secrets come from secretGenerators reading files written only with
    ``include_secrets``."""

    def __init__(self, *, include_secrets: bool = False) -> None:
        super().__init__()
        self._include_secrets = include_secrets

    @builder_method
    def generate(
        self,
        resource: Builder | list[Builder],
        output_dir: str | Path,
        overlays: dict[str, Builder | list[Builder]] | None = None,
    ) -> KustomizeOutput:
        """Write the base (and overlays) into ``output_dir``."""
        from pykro.render._kustomize import write_kustomize

        base = _objects(resource, "KustomizeOutput")
        rendered = {name: _objects(value, "KustomizeOutput") for name, value in (overlays or {}).items()}
        self._files = write_kustomize(base, rendered, output_dir, include_secrets=self._include_secrets)
        return self


class DockerComposeOutput:
    """Writes builders' objects as a Compose file: ``DockerComposeOutput().generate(app, "docker-compose.yml")``.
    Secret values are read from ``PYKRO_SECRET_*`` environment variables unless ``include_secrets`` writes them to a
    ``.env`` file beside it. Objects Compose cannot hold are listed in ``skipped`` and in the file's header."""

    def __init__(self, *, include_secrets: bool = False) -> None:
        self._include_secrets = include_secrets
        self._file: Path | None = None
        self._skipped: list[str] = []

    @property
    def files(self) -> list[Path]:
        """The file written by the last generate()."""
        return [self._file] if self._file else []

    @property
    def skipped(self) -> list[str]:
        """The objects the last generate() left out (``Kind name``)."""
        return list(self._skipped)

    @builder_method
    def generate(self, resource: Builder | list[Builder], output_file: str | Path) -> DockerComposeOutput:
        """Write the Compose file of ``resource`` (a builder, an AppGroup or a list of builders) at ``output_file``."""
        from pykro.render._compose import write_compose

        result = write_compose(
            _objects(resource, "DockerComposeOutput"), output_file, include_secrets=self._include_secrets
        )
        self._file = Path(output_file)
        self._skipped = result.skipped
        return self


_COMPOSE = "pykro does not run docker compose"
_COMPOSE_HOW = "docker compose yourself on the generated file (docker compose -f FILE up)"
for _name in ("up", "down", "start", "stop", "restart", "build", "pull", "push", "ps", "logs", "exec", "run",
              "scale", "config", "status", "health"):  # fmt: skip
    setattr(DockerComposeOutput, _name, unsupported(_name, _COMPOSE, _COMPOSE_HOW))
_HELM = "pykro does not run helm"
_HELM_HOW = "helm yourself on the generated chart (helm install NAME DIR)"
for _name in ("install", "upgrade", "uninstall", "template", "lint", "package", "status", "rollback"):
    setattr(HelmOutput, _name, unsupported(_name, _HELM, _HELM_HOW))
for _name in ("build", "apply", "delete", "diff"):
    setattr(KustomizeOutput, _name, unsupported(_name, _KUBECTL, "kubectl apply -k DIR/overlays/NAME yourself"))
