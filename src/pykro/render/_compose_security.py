"""How a pod's and a container's run settings become Compose service keys: the security context Compose can state
exactly (``user``, ``read_only``, ``privileged``, ``cap_add``/``cap_drop``, ``no-new-privileges``, seccomp), and
the settings it cannot carry (host namespaces, hooks, a terminal, ``fsGroup``, ``runAsNonRoot`` without a user,
...), which are refused rather than dropped."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["run_settings"]

# Fields that change how a container runs and that a Compose file does not carry.
_POD_DROPPED: Final = ("hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace")
_CONTAINER_DROPPED: Final = ("lifecycle", "stdin", "tty")
# securityContext fields translated below (the pod's apply where the container does not set them).
_CONTEXT: Final = frozenset(
    {"runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem", "privileged", "capabilities",
     "allowPrivilegeEscalation", "seccompProfile"}
)  # fmt: skip

Fail = Callable[[str, str], Exception]  # (where, why) -> the error to raise


def run_settings(pod: Mapping[str, Any], c: Mapping[str, Any], where: str, fail: Fail) -> dict[str, Any]:
    """The Compose keys of the container at ``where`` (``...containers[i]``) for its and its pod's run settings."""
    pod_where = where.rsplit(".containers", 1)[0]
    for fields, owner, here in ((_POD_DROPPED, pod, pod_where), (_CONTAINER_DROPPED, c, where)):
        found = next((f for f in fields if owner.get(f) not in (None, False, {})), None)
        if found is not None:
            raise fail(f"{here}.{found}", "the Compose file would not carry it (it changes how the container runs)")
    for index, port in enumerate(c.get("ports") or []):
        if port.get("hostPort") or port.get("hostIP"):
            raise fail(
                f"{where}.ports[{index}].hostPort",
                "publish ports with a LoadBalancer or NodePort Service instead (its ports become the Compose "
                "service's ports)",
            )
    pod_context = dict(pod.get("securityContext") or {})
    own = dict(c.get("securityContext") or {})
    for context, here in ((pod_context, f"{pod_where}.securityContext"), (own, f"{where}.securityContext")):
        extra = sorted(k for k in set(context) - _CONTEXT if context[k] not in (None, [], {}))
        if extra:
            raise fail(f"{here}.{extra[0]}", "Compose has no such setting")
    context = {**{k: v for k, v in pod_context.items() if k in _CONTEXT}, **own}
    return _translate(context, f"{where}.securityContext", fail)


def _translate(context: dict[str, Any], where: str, fail: Fail) -> dict[str, Any]:
    out: dict[str, Any] = {}
    user, group = context.get("runAsUser"), context.get("runAsGroup")
    if group is not None and user is None:
        raise fail(f"{where}.runAsGroup", "Compose sets a group only with a user: add runAsUser")
    if user is not None:
        out["user"] = f"{user}:{group}" if group is not None else str(user)
    if context.get("runAsNonRoot") and not (isinstance(user, int) and user > 0):
        raise fail(f"{where}.runAsNonRoot", "Compose cannot refuse an image that runs as root: set runAsUser (> 0)")
    if context.get("readOnlyRootFilesystem"):
        out["read_only"] = True
    if context.get("privileged"):
        out["privileged"] = True
    capabilities = context.get("capabilities") or {}
    for key, target in (("add", "cap_add"), ("drop", "cap_drop")):
        if capabilities.get(key):
            out[target] = [str(c) for c in capabilities[key]]
    options = []
    if context.get("allowPrivilegeEscalation") is False:
        options.append("no-new-privileges:true")
    seccomp = (context.get("seccompProfile") or {}).get("type")
    if seccomp == "Unconfined":
        options.append("seccomp:unconfined")
    elif seccomp not in (None, "RuntimeDefault"):  # Docker's default profile is the runtime default
        raise fail(f"{where}.seccompProfile", f"a {seccomp} profile has no Compose form")
    if options:
        out["security_opt"] = options
    return out
