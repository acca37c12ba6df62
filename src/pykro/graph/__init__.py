"""The Graph IR: kro ResourceGraphDefinitions loaded, validated like kro's builder, ordered and saved back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro import _lazy

if TYPE_CHECKING:
    from pykro.graph.analysis import Analysis, Node
    from pykro.graph.dag import CycleError, deletion_waves, topological_order
    from pykro.graph.expressions import Field, format_path
    from pykro.graph.model import ForEachDimension, Graph, Resource

# Imported on first use: `pykro.graph.naming` (used while compositions are defined) must not load the analysis.
_LAZY = {
    "Analysis": "pykro.graph.analysis",
    "Node": "pykro.graph.analysis",
    "CycleError": "pykro.graph.dag",
    "deletion_waves": "pykro.graph.dag",
    "topological_order": "pykro.graph.dag",
    "Field": "pykro.graph.expressions",
    "format_path": "pykro.graph.expressions",
    "ForEachDimension": "pykro.graph.model",
    "Graph": "pykro.graph.model",
    "Resource": "pykro.graph.model",
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
