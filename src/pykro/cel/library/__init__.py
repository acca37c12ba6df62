"""kro v0.9.3's CEL function library, implemented in Python for the functions cel-expr-python lacks.

Each module exposes ``FUNCTIONS``: a list of :class:`Fn` (name, overloads) that :mod:`pykro.cel.engine` turns into
engine declarations. Values of Kubernetes' opaque CEL types (quantity, url, ip, cidr, semver) travel through the
engine as tagged maps (see :mod:`pykro.cel.library.opaque`).
"""

from __future__ import annotations

from pykro.cel.library.base import Fn, Overload
from pykro.cel.library.kro import FUNCTIONS as KRO_FUNCTIONS

ALL_FUNCTIONS: list[Fn] = [*KRO_FUNCTIONS]

__all__ = ["ALL_FUNCTIONS", "Fn", "Overload"]
