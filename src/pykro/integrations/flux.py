"""Flux: ``HelmRepository``, ``OCIRepository``, ``GitRepository`` (``source.toolkit.fluxcd.io/v1``),
``HelmRelease`` (``helm.toolkit.fluxcd.io/v2``) and ``Kustomization`` (``kustomize.toolkit.fluxcd.io/v1``).

Readiness as Flux reports it (kstatus): the ``Ready`` condition is ``True`` for the latest generation (the
condition's ``observedGeneration`` and ``status.observedGeneration`` equal ``metadata.generation``). A
``HelmRepository`` of ``type: oci`` is not reconciled by Flux (it has no status), so it is ready once it exists.
"""

from __future__ import annotations

from pykro.crds import CustomResource, condition_true, generation_observed
from pykro.integrations import _vendored

__all__ = ["GitRepository", "HelmRelease", "HelmRepository", "Kustomization", "OCIRepository"]

_READY = [condition_true("Ready", generation=True), generation_observed()]
_HELM_REPOSITORY = "source.toolkit.fluxcd.io_helmrepositories"
_OCI_REPOSITORY = "source.toolkit.fluxcd.io_ocirepositories"
_GIT_REPOSITORY = "source.toolkit.fluxcd.io_gitrepositories"
_HELM_RELEASE = "helm.toolkit.fluxcd.io_helmreleases"
_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io_kustomizations"


class HelmRepository(
    CustomResource,
    crd=_vendored.crd(_HELM_REPOSITORY),
    source=_vendored.source(_HELM_REPOSITORY),
    ready=[f'self.spec.?type.orValue("default") == "oci" || ({" && ".join(_READY)})'],
):
    """A Helm chart repository (HTTP index, or ``type: oci`` for an OCI registry)."""

    __slots__ = ()


class OCIRepository(
    CustomResource, crd=_vendored.crd(_OCI_REPOSITORY), source=_vendored.source(_OCI_REPOSITORY), ready=_READY
):
    """An OCI artifact Flux pulls."""

    __slots__ = ()


class GitRepository(
    CustomResource, crd=_vendored.crd(_GIT_REPOSITORY), source=_vendored.source(_GIT_REPOSITORY), ready=_READY
):
    """A Git repository Flux pulls."""

    __slots__ = ()


class HelmRelease(
    CustomResource, crd=_vendored.crd(_HELM_RELEASE), source=_vendored.source(_HELM_RELEASE), ready=_READY
):
    """A Helm release Flux installs and upgrades."""

    __slots__ = ()


class Kustomization(
    CustomResource, crd=_vendored.crd(_KUSTOMIZATION), source=_vendored.source(_KUSTOMIZATION), ready=_READY
):
    """Manifests from a Flux source, applied and pruned by Flux."""

    __slots__ = ()
