"""The Graph IR: kro ResourceGraphDefinitions loaded, validated like kro's builder, ordered and saved back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro import _lazy

if TYPE_CHECKING:
    from pykro.graph._analysis import Analysis, Node
    from pykro.graph._dag import CycleError, deletion_waves, topological_order
    from pykro.graph._expressions import Field, format_path
    from pykro.graph._model import ForEachDimension, Graph, Resource

# Imported on first use: `pykro.graph._naming` (used while compositions are defined) must not load the analysis.
_LAZY = {
    "Analysis": "pykro.graph._analysis",
    "Node": "pykro.graph._analysis",
    "CycleError": "pykro.graph._dag",
    "deletion_waves": "pykro.graph._dag",
    "topological_order": "pykro.graph._dag",
    "Field": "pykro.graph._expressions",
    "format_path": "pykro.graph._expressions",
    "ForEachDimension": "pykro.graph._model",
    "Graph": "pykro.graph._model",
    "Resource": "pykro.graph._model",
}

if not TYPE_CHECKING:
    __getattr__ = _lazy.lazy_getattr(__name__, _LAZY)


__all__ = [
    "Analysis",
    "CycleError",
    "Field",
    "ForEachDimension",
    "Graph",
    "Node",
    "Resource",
    "deletion_waves",
    "format_path",
    "topological_order",
]
