"""The Graph IR: kro ResourceGraphDefinitions loaded, validated like kro's builder, ordered and saved back."""

from pykro.graph.analysis import Analysis, Node
from pykro.graph.dag import CycleError, deletion_waves, topological_order
from pykro.graph.expressions import Field, format_path
from pykro.graph.model import ForEachDimension, Graph, Resource

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
