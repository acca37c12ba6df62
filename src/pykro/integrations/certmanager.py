"""cert-manager (``cert-manager.io/v1``): ``Certificate``, ``Issuer``, ``ClusterIssuer``.

Readiness as cert-manager reports it: the ``Ready`` condition is ``True`` for the latest generation (its
``observedGeneration`` equals ``metadata.generation``). ``ClusterIssuer`` is cluster-scoped (no namespace).
"""

from __future__ import annotations

from pykro.crds import CustomResource, condition_true
from pykro.integrations import _vendored

__all__ = ["Certificate", "ClusterIssuer", "Issuer"]

_READY = [condition_true("Ready", generation=True)]
_CERTIFICATE = "cert-manager.io_certificates"
_ISSUER = "cert-manager.io_issuers"
_CLUSTER_ISSUER = "cert-manager.io_clusterissuers"


class Certificate(CustomResource, crd=_vendored.crd(_CERTIFICATE), source=_vendored.source(_CERTIFICATE), ready=_READY):
    """A TLS certificate cert-manager issues into a Secret."""

    __slots__ = ()


class Issuer(CustomResource, crd=_vendored.crd(_ISSUER), source=_vendored.source(_ISSUER), ready=_READY):
    """A certificate authority for one namespace."""

    __slots__ = ()


class ClusterIssuer(
    CustomResource, crd=_vendored.crd(_CLUSTER_ISSUER), source=_vendored.source(_CLUSTER_ISSUER), ready=_READY
):
    """A certificate authority for the whole cluster."""

    __slots__ = ()
