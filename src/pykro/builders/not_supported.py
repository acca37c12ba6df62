"""Celestra classes pykro does not provide: creating one raises a PykroError saying what to use instead, so a
Celestra script stops at its first such line rather than doing less than it says."""

from __future__ import annotations

from typing import Any, NoReturn

from pykro.authoring.location import fail

__all__ = ["PluginBase", "PluginManager", "TemplateEngine", "TemplateManager", "TerraformOutput"]


class _NotSupported:
    WHY = ""
    INSTEAD = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse(type(self).__name__, self.WHY, self.INSTEAD)


def _refuse(name: str, why: str, instead: str) -> NoReturn:
    raise fail(f"{name} is not supported: {why}", f"Use {instead}.")


class TerraformOutput(_NotSupported):
    WHY = "pykro writes Kubernetes objects (and kro ResourceGraphDefinitions), not Terraform"
    INSTEAD = "KubernetesOutput().generate(builder, dir), or Terraform's kubernetes_manifest on those files"


class PluginManager(_NotSupported):
    WHY = "pykro has no plugin system"
    INSTEAD = "plain Python: a function that takes a builder and calls its setters"


class PluginBase(_NotSupported):
    WHY = PluginManager.WHY
    INSTEAD = PluginManager.INSTEAD


class TemplateManager(_NotSupported):
    WHY = "pykro has no template engine"
    INSTEAD = "a Python function returning a configured builder, or a @composition with a spec"


class TemplateEngine(_NotSupported):
    WHY = TemplateManager.WHY
    INSTEAD = TemplateManager.INSTEAD
