"""KubernetesOutput: Celestra's writer of YAML files, ``KubernetesOutput().generate(app, "./k8s/")``.

The files are the objects pykro built and checked; before writing, every object is validated again against the
Kubernetes 1.35 schema. pykro does not run kubectl: the execution methods say what to run instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pykro import yamlio
from pykro.builders._base import Builder, builder_method, unsupported, write_yaml
from pykro.errors import PykroError
from pykro.schema.kubernetes import validate_object

__all__ = ["KubernetesOutput"]

_KUBECTL = "pykro does not run kubectl"


class KubernetesOutput:
    """Writes builders' objects as YAML files, one per object (``<kind>-<name>.yaml``)."""

    def __init__(self) -> None:
        self._files: list[Path] = []

    @property
    def files(self) -> list[Path]:
        """The files written by the last generate()."""
        return list(self._files)

    @builder_method
    def generate(self, resource: Builder | list[Builder], output_dir: str | Path) -> KubernetesOutput:
        """Write the objects of ``resource`` (a builder, an AppGroup or a list of builders) into ``output_dir``."""
        sources = resource if isinstance(resource, list) else [resource]
        objects: list[dict[str, Any]] = []
        for source in sources:
            if not isinstance(source, Builder):
                raise PykroError(
                    f"KubernetesOutput.generate() takes builders such as App(...), got {type(source).__name__}",
                    fix="Pass an App, StatefulApp, AppGroup, ... builder.",
                )
            objects += source.objects()
        _check(objects, "generated")
        self._files = write_yaml(objects, output_dir)
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
