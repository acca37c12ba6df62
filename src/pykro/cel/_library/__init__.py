"""kro v0.9.3's CEL function library, implemented in Python for the functions cel-expr-python lacks.

Each module lists ``FUNCTIONS`` (name, overloads, Python implementations); :func:`merged` joins overloads that
share a name and a signature (e.g. ``isGreaterThan`` of quantity and semver) into one that dispatches on the
opaque kind of the receiver, because the engine sees all opaque values as ``map(string, dyn)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pykro.cel._library import kro, lists, network, opaque, quantity, regex, runtime, semver, urls
from pykro.cel._library.base import Fn, LibraryError, Overload


def _dispatch(name: str, overloads: list[Overload]) -> Callable[..., Any]:
    by_kind = {o.id.split("_")[0]: o.impl for o in overloads}

    def impl(receiver: Any, *args: Any) -> Any:
        chosen = by_kind.get(opaque.kind_of(receiver) or "")
        if chosen is None:
            raise LibraryError(f"no such overload: {opaque.describe(receiver)}.{name}()")
        return chosen(receiver, *args)

    return impl


def merged(functions: list[Fn]) -> list[Fn]:
    """One Fn per name; same-signature overloads from different libraries become one dispatching overload."""
    groups: dict[str, list[Overload]] = {}
    for f in functions:
        groups.setdefault(f.name, []).extend(f.overloads)
    out: list[Fn] = []
    for name, overloads in groups.items():
        by_signature: dict[tuple[Any, ...], list[Overload]] = {}
        for o in overloads:
            by_signature.setdefault((o.member, o.params), []).append(o)
        final = []
        for same in by_signature.values():
            if len(same) == 1:
                final.append(same[0])
            else:
                first = same[0]
                final.append(
                    Overload(f"{name}_opaque_dispatch", first.params, first.result, _dispatch(name, same), first.member)
                )
        out.append(Fn(name, tuple(final)))
    return out


ALL_FUNCTIONS: list[Fn] = merged(
    [
        *kro.FUNCTIONS,
        *lists.FUNCTIONS,
        *regex.FUNCTIONS,
        *urls.FUNCTIONS,
        *quantity.FUNCTIONS,
        *network.FUNCTIONS,
        *semver.FUNCTIONS,
        *runtime.FUNCTIONS,
    ]
)

__all__ = ["ALL_FUNCTIONS", "Fn", "Overload", "merged"]
