"""Celestra's output format decorators, for methods of your own builder subclasses that only make sense in some
outputs: ``@kubernetes_only`` (the Kubernetes YAML, Helm and Kustomize outputs), ``@docker_compose_only`` and
``@output_formats("kubernetes", "helm")``.

Celestra prints a warning and leaves such a call out of the other outputs; pykro refuses to write an output that
would leave it out: writing a builder on which such a method was called in another format is an error naming the
method, the format and the line of the call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

from pykro.authoring._location import fail, user_site
from pykro.errors import CompositionError

__all__ = ["FORMATS", "check_formats", "docker_compose_only", "kubernetes_only", "output_formats"]

F = TypeVar("F", bound=Callable[..., Any])
FORMATS: Final = ("kubernetes", "helm", "kustomize", "docker-compose")


def output_formats(*formats: str) -> Callable[[F], F]:
    """Mark a builder method as meaningful only in ``formats`` (``kubernetes``, ``helm``, ``kustomize``,
    ``docker-compose``)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise fail(
            f"output_formats() takes output format names, got {', '.join(map(repr, unknown)) or 'none'}",
            f"Use some of: {', '.join(FORMATS)}.",
        )
    allowed = frozenset(formats)

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls = self.__dict__.setdefault("_format_calls", {})
            site = user_site()
            calls.setdefault(method.__name__, (allowed, site.text if site is not None else None))
            return method(self, *args, **kwargs)

        wrapper._output_formats = sorted(allowed)  # type: ignore[attr-defined]  # Celestra's marker
        return wrapper  # type: ignore[return-value]

    return decorate


def kubernetes_only(method: F) -> F:
    """Mark a builder method as meaningful only in the Kubernetes outputs (YAML, Helm, Kustomize)."""
    return output_formats("kubernetes", "helm", "kustomize")(method)


def docker_compose_only(method: F) -> F:
    """Mark a builder method as meaningful only in the Docker Compose output."""
    return output_formats("docker-compose")(method)


def check_formats(builders: Iterable[Any], output_format: str) -> None:
    """Refuse to write ``output_format`` for builders (or their AppGroup members) on which a method restricted to
    other formats was called."""
    for builder in builders:
        members = getattr(builder, "_members", [])
        check_formats(members, output_format)
        for method, (allowed, where) in getattr(builder, "_format_calls", {}).items():
            if output_format not in allowed:
                raise CompositionError(
                    f"{type(builder).__name__} {getattr(builder, 'name', '')!r} calls {method}(), which is only for "
                    f"{', '.join(sorted(allowed))}: the {output_format} output would leave it out",
                    where=where,
                    fix=f"Write this builder in {' or '.join(sorted(allowed))}, or build one without {method}() for "
                    f"{output_format}.",
                )
