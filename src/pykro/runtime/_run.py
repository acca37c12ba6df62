"""What status and condition evaluation read of one expansion in progress (implemented by `expand`'s run)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pykro.cel import Evaluator
    from pykro.graph._analysis import Analysis
    from pykro.runtime._expand import ResourceState

__all__ = ["ExpansionRun"]


class ExpansionRun(Protocol):
    """One instance being expanded: the instance and its schema value, the graph's analysis and evaluator, the
    resources' states so far, the CEL context of a set of roots, and the status fields that resolve now."""

    instance: dict[str, Any]
    schema_value: dict[str, Any]
    analysis: Analysis
    evaluator: Evaluator
    states: dict[str, ResourceState]

    def context(self, roots: tuple[str, ...]) -> dict[str, Any]: ...

    def soft_status(self) -> tuple[dict[str, Any], list[str]]: ...
