"""``runtime_bootstrap(flux_manifests)``: a composition that installs the runtime other compositions need — Flux
from its install manifests (the ``install.yaml`` of a Flux release, which you download and point at) and kro through
a Flux ``HelmRelease`` of kro's chart — and waits for both: every Flux controller Deployment ready, then the kro
release Ready. It deploys in direct mode (kro is what it installs).

    from pykro.integrations.bootstrap import runtime_bootstrap
    bootstrap = runtime_bootstrap("flux/install.yaml")     # relative to the calling file
    bootstrap.factory("direct", namespace="flux-system").deploy({})
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from pykro import Spec, Status
from pykro.authoring._decorator import Composition
from pykro.authoring._escape import concat
from pykro.authoring._helpers import and_
from pykro.authoring._location import fail
from pykro.integrations.helm import helm_release, helm_repository, is_ready
from pykro.integrations.yamlfiles import resolve_user_path, yaml_file

KRO_CHART_REPO = "oci://registry.k8s.io/kro/charts"
KRO_VERSION = "0.9.3"
AFTER = "bootstrap.pykro.io/after"


class RuntimeBootstrapSpec(Spec):
    kro_version: str = Field(default=KRO_VERSION, min_length=1)
    kro_namespace: str = "kro-system"


class RuntimeBootstrapStatus(Status):
    ready: bool
    flux_ready: bool
    kro_ready: bool


def runtime_bootstrap(
    flux_manifests: str | Path,
    *,
    flux_namespace: str = "flux-system",
    name: str = "runtime-bootstrap",
) -> Composition:
    """The bootstrap composition for Flux's install manifests at ``flux_manifests`` (a path relative to the calling
    file, or absolute); kro's chart comes from registry.k8s.io through a HelmRelease in ``flux_namespace``."""
    path = resolve_user_path(flux_manifests, "runtime_bootstrap()")
    if not path.is_file():
        raise fail(
            f"runtime_bootstrap(): Flux's install manifests {path} do not exist",
            "Download them (https://github.com/fluxcd/flux2/releases: install.yaml) and pass their path.",
        )

    def bootstrap(spec: RuntimeBootstrapSpec) -> RuntimeBootstrapStatus:
        objects = yaml_file(path, id_prefix="flux")
        controllers = [o for o in objects if o.kind == "Deployment"]
        kinds = {
            str((o.obj.get("spec") or {}).get("names", {}).get("kind"))
            for o in objects
            if o.kind == "CustomResourceDefinition"
        }
        missing = sorted({"HelmRelease", "HelmRepository"} - kinds)
        if not controllers or missing:
            raise fail(
                f"runtime_bootstrap(): {path} does not look like Flux's install manifests "
                + (f"(no CRD for {', '.join(missing)})" if missing else "(no controller Deployment)"),
                "Pass the install.yaml of a Flux release (it holds the CRDs and the controllers).",
            )
        # the Helm objects read the controllers' names: they are applied once every controller is ready
        after = {AFTER: _names(controllers)}
        repo = helm_repository("kro", KRO_CHART_REPO, namespace=flux_namespace, annotations=after, id="kroRepository")
        kro = helm_release(
            "kro",
            chart="kro",
            repo=repo,
            version=spec.kro_version,
            namespace=flux_namespace,
            target_namespace=spec.kro_namespace,
            create_namespace=True,
            annotations=after,
            id="kroRelease",
        )
        flux_ready = _all_ready(controllers)
        kro_ready = is_ready(kro)
        return RuntimeBootstrapStatus(
            ready=and_(lambda: flux_ready, lambda: kro_ready), flux_ready=flux_ready, kro_ready=kro_ready
        )

    bootstrap.__qualname__ = bootstrap.__name__ = "runtime_bootstrap"
    return Composition(bootstrap, api_version="pykro.io/v1alpha1", kind="RuntimeBootstrap", name=name)


def _names(controllers: list[Any]) -> Any:
    """The controllers' names as one string template (a reference to each: the dependency kro and pykro follow)."""
    parts: list[Any] = []
    for controller in controllers:
        parts += [",", controller.metadata.name] if parts else [controller.metadata.name]
    return concat(*parts)


def _all_ready(controllers: list[Any]) -> Any:
    """Every controller has a ready replica (one CEL conjunction)."""
    checks = [controller.status.readyReplicas >= 1 for controller in controllers]
    return and_(*(lambda check=check: check for check in checks))


__all__ = ["RuntimeBootstrapSpec", "RuntimeBootstrapStatus", "runtime_bootstrap"]
