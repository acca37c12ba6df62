"""Client-side KRO: run a graph for one instance offline with kro's semantics (expansion, readiness, status)."""

from pykro.runtime._expand import Expansion, ResourceState, expand, expand_prepared, identity
from pykro.runtime._instance import prepare_instance
from pykro.runtime._reconcile import observed_from_objects, reconcile_passes
from pykro.runtime._simulate import simulate_ready

__all__ = [
    "Expansion",
    "ResourceState",
    "expand",
    "expand_prepared",
    "identity",
    "observed_from_objects",
    "prepare_instance",
    "reconcile_passes",
    "simulate_ready",
]
