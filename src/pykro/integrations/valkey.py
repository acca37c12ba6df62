"""The Hyperspike Valkey operator (``hyperspike.io/v1`` ``Valkey``, operator v0.0.61).

Readiness: ``status.ready`` is true (the operator sets it once the cluster's pods are up and the cluster is
formed).
"""

from __future__ import annotations

from pykro.crds import CustomResource
from pykro.integrations import _vendored

__all__ = ["Valkey"]

_VALKEY = "hyperspike.io_valkeys"


class Valkey(
    CustomResource, crd=_vendored.crd(_VALKEY), source=_vendored.source(_VALKEY), ready=["self.status.ready == true"]
):
    """A Valkey (Redis-compatible) cluster."""

    __slots__ = ()
