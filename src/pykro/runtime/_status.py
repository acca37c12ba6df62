"""The instance status kro writes: the resolved status fields, ``state`` and the conditions — kro's built-ins
(InstanceManaged, GraphResolved, ResourcesReady and the root Ready), or the RGD's authored ones instead when it
declares ``status.conditions`` — as kro v0.9.3's instance controller does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykro.runtime import _conditions as conditions

if TYPE_CHECKING:
    from pykro.runtime._expand import ResourceState
    from pykro.runtime._run import ExpansionRun

__all__ = ["instance_state", "instance_status"]

ACTIVE = "ACTIVE"
IN_PROGRESS = "IN_PROGRESS"
ERROR = "ERROR"
_TERMINAL = ("SYNCED", "SKIPPED", "DELETED")


def _condition(kind: str, status: str, reason: str, message: str, generation: int) -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "message": message, "observedGeneration": generation}


def instance_state(node_states: list[str]) -> str:
    """kro's StateManager: any ERROR -> ERROR, all SYNCED/SKIPPED -> ACTIVE, otherwise IN_PROGRESS."""
    if ERROR in node_states:
        return ERROR
    return ACTIVE if all(s in _TERMINAL for s in node_states) else IN_PROGRESS


def _waiting_errors(states: list[ResourceState]) -> list[str]:
    """The errors kro keeps on nodes waiting for readiness (external references not found, unmet readiness)."""
    errors = []
    for s in states:
        if s.node_state != "WAITING_FOR_READINESS" or not s.message:
            continue
        errors.append(s.message if s.message.startswith("waiting for ") else f'waiting for node "{s.id}": {s.message}')
    return errors


def instance_status(run: ExpansionRun) -> dict[str, Any]:
    """The status kro would write for the instance after this expansion."""
    generation = int(run.instance["metadata"].get("generation", 1))
    states = list(run.states.values())
    state = instance_state([s.node_state for s in states])
    problems = "\n".join(s.message for s in states if s.state in ("pending", "error") and s.message)
    if state == ACTIVE:
        resources = _condition(
            "ResourcesReady", "True", "AllResourcesReady", "all resources are created and ready", generation
        )
    elif state == ERROR:
        message = f"resource error: {problems}" if problems else "resource reconciliation error"
        resources = _condition("ResourcesReady", "False", "NotReady", message, generation)
    elif waiting := _waiting_errors(states):
        # kro records an error on every node waiting for readiness; after applying, any such error makes the
        # reconcile report "apply results contain errors" (the state stays IN_PROGRESS).
        resources = _condition(
            "ResourcesReady",
            "False",
            "NotReady",
            "resource reconciliation failed: apply results contain errors: " + "\n".join(waiting),
            generation,
        )
    else:
        resources = _condition(
            "ResourcesReady", "False", "NotReady", f"awaiting resource readiness: {problems}", generation
        )
    managed = _condition(
        "InstanceManaged", "True", "Managed", "instance is properly managed with finalizers and labels", generation
    )
    resolved = _condition(
        "GraphResolved", "True", "Resolved", "runtime graph created and all resources resolved", generation
    )
    if resources["status"] == "True":
        ready = _condition("Ready", "True", "Ready", "", generation)
    else:
        ready = _condition(
            "Ready", resources["status"], resources.get("reason", ""), resources.get("message", ""), generation
        )
    builtins = [managed, resolved, resources, ready]
    fields, errors = run.soft_status()
    status: dict[str, Any] = dict(fields)
    status["conditions"] = builtins
    status["state"] = ACTIVE if ready["status"] == "True" else state
    if errors:
        status["state"] = ERROR
    if run.analysis.conditions:
        authored = conditions.evaluate(run, builtins)
        previous = (run.instance.get("status") or {}).get("conditions")
        status["conditions"] = conditions.wire_conditions(authored, previous, generation)
        if authored.failures:
            status["state"] = ERROR
    return status
