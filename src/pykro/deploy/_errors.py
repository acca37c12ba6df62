"""Errors of the deploy engine, all `PykroError`s rendered as one paragraph (what, where, how to fix)."""

from __future__ import annotations

from pykro.errors import PykroError

__all__ = ["ApiFailure", "ClusterUnreachable", "DeployError", "OwnershipConflict", "ReadinessTimeout", "ResourceFailed"]


class DeployError(PykroError):
    """A deploy, delete or status request that could not be carried out (the cluster said no, or it timed out)."""


class ClusterUnreachable(DeployError):
    """The API server could not be reached (nothing was written)."""


class ApiFailure(DeployError):
    """The API server refused a request with a 4xx (or kept failing with 5xx/429 after every retry)."""

    def __init__(self, what: str, *, code: int, where: str | None = None, fix: str | None = None) -> None:
        self.code = code
        super().__init__(what, where=where, fix=fix)


class ReadinessTimeout(DeployError):
    """A resource (or the whole deploy) did not become ready in time."""


class ResourceFailed(DeployError):
    """A resource reported a terminal failure (kstatus Failed, the graph's runtime errored, kro said no)."""


class OwnershipConflict(DeployError):
    """Objects a deploy would write belong to another instance, or exist without pykro's inventory labels."""
