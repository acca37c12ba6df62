"""What every builder shares: checked calls, values checked at the call, the unsupported-method marker, metadata
setters, and turning a builder into resources (``to_resources()``; ``build()`` is Celestra's image build) or YAML
files (``generate().to_yaml(dir)``).

A builder method checks its arguments when it is called (an unknown keyword, a port outside 1-65535, a negative
count, a quantity that does not parse, a name that is not DNS-1123, a bad cron expression), so the error names the
caller's line. Values may be references (``spec.replicas``) inside a ``@composition``; those are checked by type
when the graph is built.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
from abc import ABCMeta, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

from pykro import _yamlio as yamlio
from pykro._kube import DNS1123_LABEL, DNS1123_SUBDOMAIN
from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef
from pykro.cel._library.quantity import is_quantity
from pykro.errors import PykroError
from pykro.simple._values import check_size

__all__ = ["Builder", "Generated", "ResourceGenerator", "Resources", "builder_method", "unsupported"]

F = TypeVar("F", bound=Callable[..., Any])
B = TypeVar("B", bound="Builder")

_LABEL_KEY: Final = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)


def builder_method(fn: F) -> F:
    """Check a call's arguments against ``fn``'s signature: an unknown keyword or a missing argument is a
    PykroError at the caller's line (with the keyword probably meant), never a TypeError."""
    signature = inspect.signature(fn)
    params = list(signature.parameters)[1:]
    open_keywords = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(self, *args, **kwargs)
        except TypeError as error:
            call = f"{type(self).__name__}.{fn.__name__}()"
            unknown = [k for k in kwargs if k not in params] if not open_keywords else []
            if unknown:
                close = difflib.get_close_matches(unknown[0], params, n=1, cutoff=0.6)
                fix = f"Did you mean {close[0]}?" if close else f"{call} takes: {', '.join(params) or 'nothing'}."
                raise fail(f"{call} has no keyword {unknown[0]}", fix) from None
            shown = str(signature).replace("(self, ", "(").replace("(self)", "()")
            raise fail(f"{call}: {error}", f"Call it as {fn.__name__}{shown}.") from None
        depth = self.__dict__.get("_depth", 0)
        self.__dict__["_depth"] = depth + 1
        try:
            result = fn(self, *args, **kwargs)
        except PykroError as error:
            if depth > 0 or f"{fn.__name__}(" in error.what:
                raise
            named = f"{type(self).__name__}.{fn.__name__}(): {error.what}"  # every setter error names the method
            raise type(error)(named, where=error.where, fix=error.fix) from None
        finally:
            self.__dict__["_depth"] = depth
        calls = self.__dict__.get("_calls")
        if depth == 0 and result is self and calls is not None:  # the user's own call: serialize() replays it
            calls.append((fn.__name__, args, kwargs))
        return result

    wrapper.__pykro_builder__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def unsupported(name: str, why: str, instead: str) -> Callable[..., Any]:
    """A documented Celestra method pykro cannot honour: calling it raises, it never silently does nothing."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise fail(f"{type(self).__name__}.{name}() is not supported: {why}", f"Use {instead}.")

    method.__name__ = name
    method.__doc__ = f"Not supported: {why}. Use {instead}."
    method.__pykro_unsupported__ = True  # type: ignore[attr-defined]
    return method


# ------------------------------------------------------------------------------------------- value checks
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def port(value: Any, what: str = "port") -> Any:
    """A port number 1-65535 (or a reference)."""
    if is_ref(value):
        return value
    if not _is_int(value) or not 1 <= value <= 65535:
        raise fail(f"{what} must be a number from 1 to 65535, got {value!r}", "Use a valid port such as 8080.")
    return value


def count(value: Any, what: str, *, least: int = 0) -> Any:
    """A whole number >= ``least`` (or a reference)."""
    if is_ref(value):
        return value
    if not _is_int(value) or value < least:
        raise fail(
            f"{what} must be a whole number >= {least}, got {value!r}", f"Use a whole number such as {max(least, 1)}."
        )
    return value


def quantity(value: Any, what: str, *, size: bool = False) -> Any:
    """A Kubernetes quantity such as ``500m``, ``4Gi`` or ``2`` (or a reference); numbers become text. A ``size``
    (memory, storage) needs a unit: Kubernetes reads a plain number as bytes."""
    if is_ref(value):
        return value
    if _is_int(value) or isinstance(value, float):
        value = str(value)
    if not isinstance(value, str) or not is_quantity(value) or value.startswith("-"):
        raise fail(
            f"{what} must be a Kubernetes quantity such as '500m' or '4Gi', got {value!r}",
            "Write cpu as cores or millicores ('2', '500m') and sizes with a unit ('512Mi', '20Gi').",
        )
    return check_size(value, what) if size else value


def requirements(into: dict[str, dict[str, Any]], cpu: Any, memory: Any, cpu_limit: Any, memory_limit: Any) -> None:
    """Put the quantities given into ``into`` (a container's ``resources``: requests and limits), each checked."""
    for field, key, value in (
        ("requests", "cpu", cpu),
        ("requests", "memory", memory),
        ("limits", "cpu", cpu_limit),
        ("limits", "memory", memory_limit),
    ):
        if value is not None:
            what = key if field == "requests" else f"{key}_limit"
            into.setdefault(field, {})[key] = quantity(value, what, size=key == "memory")


def text(value: Any, what: str) -> Any:
    """A string (or a reference)."""
    if is_ref(value) or isinstance(value, str):
        return value
    raise fail(f"{what} must be a string, got {type(value).__name__} {value!r}", f"Write {what} as text.")


def image(value: Any, what: str = "image") -> Any:
    """A container image reference (or a reference): text without spaces."""
    text(value, what)
    if isinstance(value, str) and (not value or any(c.isspace() for c in value)):
        raise fail(
            f"{what} {value!r} is not an image reference (it is empty or has a space)",
            "Write it as registry/name:tag, e.g. 'nginx:1.27'.",
        )
    return value


def absolute_path(value: Any, what: str) -> Any:
    """A string (or a reference) that starts with ``/``."""
    text(value, what)
    if isinstance(value, str) and not value.startswith("/"):
        raise fail(f"{what} {value!r} must be an absolute path", f"Write '/{value}'.")
    return value


def dns_name(value: Any, what: str, *, label: bool = False) -> Any:
    """A DNS-1123 name: a label (``label=True``: services, apps) or a subdomain (other objects)."""
    if is_ref(value):
        return value
    pattern, limit = (DNS1123_LABEL, 63) if label else (DNS1123_SUBDOMAIN, 253)
    if not isinstance(value, str) or not pattern.match(value) or len(value) > limit:
        kind = "DNS-1123 label (at most 63 characters" if label else "DNS-1123 subdomain (at most 253 characters"
        raise fail(
            f"{what} {value!r} is not a valid {kind}: lower-case letters, digits and '-', starting and ending with a "
            "letter or digit)",
            "Use a name such as 'my-app'.",
        )
    return value


def port_name(value: Any, what: str = "port name") -> Any:
    if value is None or is_ref(value):
        return value
    if not isinstance(value, str) or len(value) > 15 or not DNS1123_LABEL.match(value) or "--" in value:
        raise fail(
            f"{what} {value!r} is not a valid port name (at most 15 lower-case letters, digits and '-')",
            "Use a name such as 'http' or 'metrics'.",
        )
    return value


def label_key(value: Any, what: str) -> Any:
    if not isinstance(value, str) or not _LABEL_KEY.match(value):
        raise fail(
            f"{what} {value!r} is not a valid label or annotation key",
            "Use a key such as 'team' or 'example.com/team'.",
        )
    return value


_LABEL_VALUE: Final = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?\Z")


def label_value(value: Any, what: str) -> Any:
    """A label value: at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric (or empty)."""
    text(value, what)
    if isinstance(value, str) and not _LABEL_VALUE.match(value):
        raise fail(
            f"{what} value {value!r} is not a valid label value (at most 63 letters, digits, '-', '_', '.')",
            "Use an annotation for free text.",
        )
    return value


def cron(value: Any, what: str = "schedule") -> Any:
    """A cron expression of five fields (or an @macro), checked now."""
    if is_ref(value):
        return value
    if not isinstance(value, str):
        raise fail(f"{what} must be a cron expression, got {value!r}", "Write '0 2 * * *' (daily at 02:00).")
    from pykro.emulator._simulation.batch import parse_schedule  # the one cron parser (loaded only when needed)

    try:
        parse_schedule(value)
    except (ValueError, IndexError) as error:
        raise fail(
            f"{what} {value!r} is not a valid cron expression ({error})",
            "Write five fields: minute hour day-of-month month day-of-week, e.g. '0 2 * * *'.",
        ) from None
    return value


def choice(value: Any, what: str, choices: Mapping[str, str]) -> str:
    """One of ``choices`` (matched case-insensitively, dashes ignored); returns the Kubernetes spelling."""
    key = str(value).lower().replace("-", "").replace("_", "")
    if key in choices:
        return choices[key]
    spelled = sorted(set(choices.values()))
    raise fail(f"{what} must be one of {', '.join(spelled)}, got {value!r}", f"Use {spelled[0]!r}.")


def mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise fail(f"{what} must be a dict, got {type(value).__name__}", f"Write {what} as {{'key': 'value'}}.")
    return dict(value)


def items(value: Any, what: str) -> list[Any]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise fail(f"{what} must be a list, got {type(value).__name__}", f"Write {what} as [...].")
    return list(value)


# ------------------------------------------------------------------------------------------- builders
class Resources(list[ResourceRef]):
    """What ``to_resources()`` returns: the resources, in order, and ``of(kind, name)`` to pick one (for a status
    expression in a composition: ``refs.of("Deployment", "web").status.readyReplicas``)."""

    def of(self, kind: str, name: str | None = None) -> ResourceRef:
        for ref in self:
            if ref.kind == kind and (name is None or ref.obj.get("metadata", {}).get("name") == name):
                return ref
        have = ", ".join(f"{r.kind} {r.obj.get('metadata', {}).get('name')}" for r in self)
        raise fail(f"no {kind} {name or ''} among the builder's resources".replace("  ", " "), f"It made: {have}.")


class _Checked(ABCMeta):
    """Creating a builder with missing or unknown arguments (``Service()``) is a PykroError at the caller's line
    saying how to call it, never a TypeError."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        signature = _SIGNATURES.get(cls)
        if signature is None:
            signature = _SIGNATURES[cls] = inspect.signature(cls.__init__)  # type: ignore[misc]
        try:
            signature.bind(None, *args, **kwargs)
        except TypeError as error:
            shown = ", ".join(
                p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                for p in list(signature.parameters.values())[1:]
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            )
            example = f", such as {cls.__name__}('my-name')" if "name" in signature.parameters else ""
            raise fail(f"{cls.__name__}(): {error}", f"Call it as {cls.__name__}({shown}){example}.") from None
        return super().__call__(*args, **kwargs)


_SIGNATURES: dict[type, inspect.Signature] = {}


class Builder(metaclass=_Checked):
    """Base of every builder: a name, labels, annotations and a namespace; ``to_resources()`` makes the resources."""

    KIND_NAME_IS_LABEL = False

    def __init__(self, name: Any) -> None:
        self._calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []  # the setter calls, for serialize()
        self._name = dns_name(name, f"{type(self).__name__} name", label=self.KIND_NAME_IS_LABEL)
        self._namespace: Any = None
        self._labels: dict[str, Any] = {}
        self._annotations: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r})"

    @property
    def name(self) -> Any:
        return self._name

    @builder_method
    def namespace(self: B, namespace: Any) -> B:
        """Put every object of this builder in ``namespace``."""
        self._namespace = dns_name(namespace, "namespace", label=True)
        return self

    @builder_method
    def add_label(self: B, key: str, value: Any) -> B:
        """Add a label to every object of this builder (and to the pods of a workload)."""
        self._labels[label_key(key, "label key")] = label_value(value, f"label {key}")
        return self

    @builder_method
    def add_labels(self: B, labels: Mapping[str, Any]) -> B:
        for key, value in mapping(labels, "labels").items():
            self.add_label(key, value)
        return self

    @builder_method
    def add_annotation(self: B, key: str, value: Any) -> B:
        """Add an annotation to every object of this builder."""
        self._annotations[label_key(key, "annotation key")] = text(value, f"annotation {key}")
        return self

    @builder_method
    def add_annotations(self: B, annotations: Mapping[str, Any]) -> B:
        for key, value in mapping(annotations, "annotations").items():
            self.add_annotation(key, value)
        return self

    def _meta(self) -> dict[str, Any]:
        """The keywords every pykro.simple factory takes."""
        return {
            "namespace": self._namespace,
            "labels": dict(self._labels) or None,
            "annotations": dict(self._annotations) or None,
        }

    def to_resources(self) -> Resources:
        """The resources, made with pykro.simple (inside a ``@composition`` they join its graph: call it once)."""
        made = Resources(self._make())
        self._check_made(made)
        return made

    def _check_made(self, made: list[ResourceRef]) -> None:
        """Checks the user attached to the builder (add_validator(), add_cost_optimizer()), run on what it made."""
        return None

    @abstractmethod
    def _make(self) -> list[ResourceRef]:
        """The builder's resources, made with pykro.simple."""

    def objects(self) -> list[dict[str, Any]]:
        """The Kubernetes objects as dicts (outside a composition; each checked against the Kubernetes schema)."""
        return [ref.obj for ref in self.to_resources()]

    def to_manifests(self) -> list[dict[str, Any]]:
        """The Kubernetes objects as dicts, like a composition's ``to_manifests`` (the same as ``objects()``)."""
        return self.objects()

    def to_yaml(self) -> str:
        """The objects as one YAML stream (``generate().to_yaml(dir)`` writes one file per object instead)."""
        return self.generate().preview()

    @builder_method
    def generate(self) -> ResourceGenerator:
        """The objects, ready to be written: ``.generate().to_yaml("./k8s/")``."""
        return ResourceGenerator(self)


class Part(Builder):
    """A part of a workload (probes, a sidecar, settings): it makes no object of its own."""

    KIND_NAME_IS_LABEL = True

    def _make(self) -> list[ResourceRef]:
        raise fail(f"{type(self).__name__} {self._name!r} makes no object of its own", "Add it to a workload.")


class ResourceGenerator:
    """What ``generate()`` returns (Celestra's ResourceGenerator): the builder's objects, the formats pykro writes
    them in, and queries over them."""

    def __init__(self, source: Builder) -> None:
        self._source = source

    def objects(self) -> list[dict[str, Any]]:
        return self._source.objects()

    @property
    def resources(self) -> list[dict[str, Any]]:
        """The objects (Celestra's name)."""
        return self.objects()

    def get_resources_by_kind(self, kind: str) -> list[dict[str, Any]]:
        return [obj for obj in self.objects() if obj.get("kind") == kind]

    def get_resources_by_api_version(self, api_version: str) -> list[dict[str, Any]]:
        return [obj for obj in self.objects() if obj.get("apiVersion") == api_version]

    def preview(self) -> str:
        """The objects as one YAML stream (Secret values as they are in the Secret: base64, not plain)."""
        return "".join(f"---\n{yamlio.dump(obj)}" for obj in self.objects())

    def validate(self) -> list[Any]:
        """``Validator().validate()`` of the objects: the findings."""
        from pykro.builders._analysis import Validator

        return Validator().validate(self.objects())

    def security_scan(self) -> list[Any]:
        """``SecurityScanner().scan()`` of the objects: the findings."""
        from pykro.builders._analysis import SecurityScanner

        return SecurityScanner().scan(self.objects())

    def cost_estimate(self) -> Any:
        """``CostEstimator().estimate()`` of the objects (AWS list prices)."""
        from pykro.builders._analysis import CostEstimator

        return CostEstimator().estimate(self.objects())

    def to_yaml(self, output_dir: str | Path) -> list[Path]:
        """Write one YAML file per object into ``output_dir`` (created if missing); returns the paths."""
        from pykro.builders._formats import check_formats

        check_formats([self._source], "kubernetes")
        return write_yaml(self.objects(), output_dir)

    def to_helm_chart(self, output_dir: str | Path) -> list[Path]:
        """Write a Helm chart of the objects into ``output_dir`` (``HelmOutput``); returns the paths."""
        from pykro.builders._output import HelmOutput

        return HelmOutput(str(self._source.name)).generate(self._source, output_dir).files

    def to_kustomize(self, output_dir: str | Path) -> list[Path]:
        """Write the objects as a Kustomize base into ``output_dir`` (``KustomizeOutput``); returns the paths."""
        from pykro.builders._output import KustomizeOutput

        return KustomizeOutput().generate(self._source, output_dir).files

    def to_docker_compose(self, output_file: str | Path) -> list[Path]:
        """Write a Compose file of the objects (``DockerComposeOutput``); returns its path."""
        from pykro.builders._output import DockerComposeOutput

        return DockerComposeOutput().generate(self._source, output_file).files

    def to_all_formats(self, output_path: str | Path = "./output/", formats: list[str] | None = None) -> list[Path]:
        """Write ``formats`` (default all: ``yaml``, ``docker-compose``, ``helm``, ``kustomize``) under
        ``output_path`` (``k8s/``, ``docker-compose.yml``, ``charts/``, ``kustomize/``); returns the paths."""
        base = Path(output_path)
        writers: dict[str, Callable[[], list[Path]]] = {
            "yaml": lambda: self.to_yaml(base / "k8s"),
            "docker-compose": lambda: self.to_docker_compose(base / "docker-compose.yml"),
            "helm": lambda: self.to_helm_chart(base / "charts"),
            "kustomize": lambda: self.to_kustomize(base / "kustomize"),
        }
        wanted = list(writers) if formats is None else items(formats, "formats")
        unknown = [f for f in wanted if f not in writers]
        if unknown:
            raise fail(
                f"to_all_formats() has no format {unknown[0]!r}"
                + (" (pykro writes no Terraform)" if unknown[0] == "terraform" else ""),
                f"Use some of: {', '.join(writers)}.",
            )
        return [path for name in wanted for path in writers[name]()]

    to_helm_values = unsupported("to_helm_values", "a chart's values are its spec", "to_helm_chart() or HelmOutput")
    to_terraform = unsupported("to_terraform", "pykro writes Kubernetes objects only", "to_yaml()")
    to_custom_format = unsupported(
        "to_custom_format", "pykro has no output plugins", "objects() and your own code to write them"
    )


Generated = ResourceGenerator  # pykro's earlier name


def file_name(obj: Mapping[str, Any]) -> str:
    """``<kind>-<name>.yaml`` (kind in lower case), the name of the file an object is written to."""
    return f"{str(obj['kind']).lower()}-{obj['metadata']['name']}.yaml"


def write_yaml(objects: list[dict[str, Any]], output_dir: str | Path) -> list[Path]:
    """Write each object to ``output_dir/<kind>-<name>.yaml``; two objects with one file name are an error, and so is
    another manifest file already in ``output_dir`` (``kubectl apply -f`` would apply it too)."""
    directory = Path(output_dir)
    names = [file_name(obj) for obj in objects]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PykroError(
            f"two objects would be written to {directory / twice[0]}", fix="Give one of them another name."
        )
    from pykro.render._files import check_stale

    check_stale(directory, names, "kubectl apply -f")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for obj, name in zip(objects, names, strict=True):
            path = directory / name
            path.write_text(yamlio.dump(obj), encoding="utf-8")
            paths.append(path)
    except OSError as error:
        raise PykroError(
            f"cannot write the YAML files to {directory}: {error.strerror}", fix="Choose a directory you can write to."
        ) from None
    return paths
