"""Secret and ConfigMap builders (Celestra's names).

A Secret's values live in the Secret object only: ``repr()`` and every error name the key, never the value, and
attaching a Secret to a workload references it (``envFrom`` or a volume), it never copies a value.
"""

from __future__ import annotations

import configparser
import fnmatch
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.authoring._resource import ResourceRef
from pykro.builders._base import Builder, absolute_path, builder_method, mapping, text, unsupported
from pykro.builders._base import count as check_count
from pykro.simple import ConfigMap as _ConfigMap
from pykro.simple import Secret as _Secret

__all__ = ["ConfigMap", "Secret"]

_SECRET_TYPES = {
    "opaque": "Opaque",
    "tls": "kubernetes.io/tls",
    "dockerconfigjson": "kubernetes.io/dockerconfigjson",
    "dockerregistry": "kubernetes.io/dockerconfigjson",
    "basicauth": "kubernetes.io/basic-auth",
    "sshauth": "kubernetes.io/ssh-auth",
    "serviceaccounttoken": "kubernetes.io/service-account-token",
}
# Keys the API server requires for a Secret type (one of them).
_REQUIRED_KEYS = {
    "kubernetes.io/basic-auth": ("username", "password"),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
}
_MAX_FILE = 1024 * 1024  # ConfigMaps and Secrets are limited to 1 MiB


def _key(key: Any, what: str) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= 253 or not all(c.isalnum() or c in "-._" for c in key):
        raise fail(
            f"{what} key {key!r} is not valid (letters, digits, '-', '_' and '.')", "Use a key such as 'db.url'."
        )
    return key


def _fresh(key: Any, what: str, name: str, *taken: Mapping[str, Any]) -> str:
    """``key`` checked by `_key` and not yet in any of ``taken`` (a second value for a key would replace the first)."""
    checked = _key(key, what)
    if any(checked in store for store in taken):
        raise fail(
            f"{what} {name!r} already has the key {checked!r}: a second value would replace the first",
            "Give each value its own key, or remove the earlier call.",
        )
    return checked


def _read(path: Any, what: str) -> bytes:
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(
            f"{what}: cannot read {file}: {error.strerror}", "Check the path (relative to the current directory)."
        ) from None
    if len(data) > _MAX_FILE:
        raise fail(
            f"{what}: {file} is larger than 1 MiB, the limit of a ConfigMap or Secret", "Mount a volume instead."
        )
    return data


def _env_file(path: Any, what: str) -> dict[str, str]:
    """``KEY=value`` lines (blank lines and ``#`` comments skipped, surrounding quotes removed)."""
    out: dict[str, str] = {}
    for number, raw in enumerate(_read(path, what).decode("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        key, sep, value = line.partition("=")
        if not sep:
            raise fail(f"{what}: {path} line {number} is not KEY=value", "Fix that line or remove it.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key.strip()] = value
    return out


class _Attachable(Builder):
    """What a workload reads from a ConfigMap or Secret: every key as an env var (default, optionally prefixed) or
    files under ``mount_path``."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._mount: Any = None
        self._env_prefix: str | None = None
        self._mode: int | None = None

    @builder_method
    def mount_path(self, path: Any) -> Any:
        """Mount the keys as files under ``path`` in the workloads it is added to (instead of env vars)."""
        self._mount = absolute_path(path, "mount_path")
        return self

    @builder_method
    def mount_as_env_vars(self, prefix: str = "") -> Any:
        """Expose every key as an environment variable (``prefix`` prepended) in the workloads it is added to."""
        self._env_prefix = text(prefix, "prefix")
        return self

    def attachment(self, kind: str) -> dict[str, Any]:
        """How a workload uses it: ``{"env_from": {...}}`` and/or ``{"mount": {...}}``."""
        field = "configMapRef" if kind == "ConfigMap" else "secretRef"
        out: dict[str, Any] = {}
        if self._mount is not None:
            mount: dict[str, Any] = {"name": self._name, "mount_path": self._mount, "read_only": True}
            if self._mode is not None:
                mount["default_mode"] = self._mode
            out["mount"] = mount
        if self._mount is None or self._env_prefix is not None:
            source: dict[str, Any] = {field: {"name": self._name}}
            if self._env_prefix:
                source["prefix"] = self._env_prefix
            out["env_from"] = source
        return out


class Secret(_Attachable):
    """A v1 Secret: ``Secret("db").add("password", "s3cret")``; added to an App it becomes env vars (or files)."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._values: dict[str, Any] = {}
        self._type: str | None = None

    def __repr__(self) -> str:
        return f"Secret({self._name!r}, keys={sorted(self._values)})"  # never the values

    @builder_method
    def add(self, key: str, value: Any) -> Secret:
        """Add a text value (or a reference)."""
        if not (is_ref(value) or isinstance(value, str)):
            raise fail(
                f"Secret {self._name!r} value of {key!r} must be a string, got {type(value).__name__}",
                "Write it as text, or use add_binary() for bytes.",
            )
        self._values[_fresh(key, "Secret", self._name, self._values)] = value
        return self

    @builder_method
    def add_binary(self, key: str, value: bytes) -> Secret:
        """Add raw bytes."""
        if not isinstance(value, bytes):
            raise fail(
                f"Secret {self._name!r} add_binary({key!r}) needs bytes, got {type(value).__name__}",
                "Use add() for text.",
            )
        self._values[_fresh(key, "Secret", self._name, self._values)] = value
        return self

    @builder_method
    def from_file(self, key: str, file_path: Any) -> Secret:
        """Add the content of a file (read now)."""
        self._values[_fresh(key, "Secret", self._name, self._values)] = _read(file_path, f"Secret {self._name!r}")
        return self

    @builder_method
    def from_env_file(self, file_path: Any, prefix: str = "") -> Secret:
        """Add every ``KEY=value`` line of a .env file (keys prefixed with ``prefix``)."""
        for key, value in _env_file(file_path, f"Secret {self._name!r}").items():
            self._values[_fresh(prefix + key, "Secret", self._name, self._values)] = value
        return self

    @builder_method
    def type(self, secret_type: str) -> Secret:
        """The Secret type: ``opaque``, ``tls``, ``docker-registry``, ``basic-auth``, ``ssh-auth`` or a full type."""
        key = str(secret_type).lower().replace("-", "").replace("_", "")
        if key in _SECRET_TYPES:
            self._type = _SECRET_TYPES[key]
        elif isinstance(secret_type, str) and "/" in secret_type:
            self._type = secret_type
        else:
            raise fail(
                f"Secret type {secret_type!r} is unknown",
                "Use opaque, tls, docker-registry, basic-auth, ssh-auth or a full type such as 'example.com/x'.",
            )
        return self

    from_vault = unsupported(
        "from_vault",
        "pykro does not read Vault at render time",
        "an operator such as External Secrets, or read the value yourself and .add() it",
    )
    vault_auth = unsupported(
        "vault_auth", "pykro does not read Vault at render time", "an operator such as External Secrets"
    )
    from_cloud_parameter_store = unsupported(
        "from_cloud_parameter_store", "pykro does not read cloud stores", "an operator such as External Secrets"
    )
    from_cloud_secrets_manager = unsupported(
        "from_cloud_secrets_manager", "pykro does not read cloud stores", "an operator such as External Secrets"
    )
    generate_password = unsupported(
        "generate_password",
        "a value generated at render time would change on every render (and every deploy)",
        "a value generated once and passed to .add(), or a secret-generator operator",
    )
    generate_random = unsupported(
        "generate_random",
        "a value generated at render time would change on every render (and every deploy)",
        "a value generated once and passed to .add()",
    )
    generate_rsa_key_pair = unsupported(
        "generate_rsa_key_pair",
        "a key generated at render time would change on every render (and every deploy)",
        "a key pair generated once (openssl genrsa) and .from_file()",
    )

    def _make(self) -> list[ResourceRef]:
        needed = _REQUIRED_KEYS.get(self._type or "")
        if needed is not None and not any(key in self._values for key in needed):
            raise fail(
                f"Secret {self._name!r} of type {self._type} needs the key {' or '.join(needed)}",
                f"Add it with .add({needed[0]!r}, ...) (the API server rejects the Secret without it).",
            )
        if self._type == "kubernetes.io/tls" and not {"tls.crt", "tls.key"} <= set(self._values):
            raise fail(
                f"Secret {self._name!r} of type tls needs the keys tls.crt and tls.key",
                "Add them with .from_file('tls.crt', path) and .from_file('tls.key', path).",
            )
        data = {k: v for k, v in self._values.items() if not is_ref(v)}
        encoded = {k: v if isinstance(v, bytes) else v.encode("utf-8") for k, v in data.items()}
        refs = {k: v for k, v in self._values.items() if is_ref(v)}
        return [_Secret(self._name, data=encoded or None, string_data=refs or None, type=self._type, **self._meta())]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise fail(f"TOML cannot hold a {type(value).__name__} value {value!r}", "Use strings, numbers, bools and lists.")


def _toml(data: Mapping[str, Any], table: str = "") -> str:
    """A small TOML writer: scalars and lists first, then nested tables."""
    lines = [
        f"{json.dumps(k) if not k.replace('_', '').replace('-', '').isalnum() else k} = {_scalar(v)}"
        for k, v in data.items()
        if not isinstance(v, Mapping)
    ]
    text_out = "\n".join(lines) + ("\n" if lines else "")
    for key, value in data.items():
        if isinstance(value, Mapping):
            name = f"{table}.{key}" if table else key
            text_out += f"\n[{name}]\n" + _toml(value, name)
    return text_out


class ConfigMap(_Attachable):
    """A v1 ConfigMap: ``ConfigMap("cfg").add("log_level", "info")``; added to an App it becomes env vars (or
    files)."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._data: dict[str, Any] = {}
        self._binary: dict[str, bytes] = {}

    def _put(self, key: str, value: Any) -> ConfigMap:
        self._data[_fresh(key, "ConfigMap", self._name, self._data, self._binary)] = value
        return self

    @builder_method
    def add_data(self, key: str, value: Any) -> ConfigMap:
        """Same as add()."""
        return self.add(key, value)

    @builder_method
    def add(self, key: str, value: Any) -> ConfigMap:
        """Add a value (numbers and bools become text)."""
        if not (is_ref(value) or isinstance(value, str | int | float | bool)):
            raise fail(
                f"ConfigMap {self._name!r} value of {key!r} must be text, got {type(value).__name__}",
                "Use add_json()/add_yaml() for structured data.",
            )
        return self._put(key, value)

    @builder_method
    def add_json(self, key: str, data: Any) -> ConfigMap:
        """Add ``data`` as JSON text (indented, keys in the order given)."""
        return self._put(key, json.dumps(data, indent=2))

    @builder_method
    def add_yaml(self, key: str, data: Any) -> ConfigMap:
        """Add ``data`` as YAML text (a dict is serialised; a string must already be YAML and is checked)."""
        if isinstance(data, str):
            try:
                yamlio.load(data)
            except Exception as error:  # any parse error is the user's
                raise fail(f"ConfigMap {self._name!r} add_yaml({key!r}): the text is not YAML ({error})") from None
            return self._put(key, data)
        return self._put(key, yamlio.dump(data))

    @builder_method
    def add_properties(self, key: str, properties: Mapping[str, Any]) -> ConfigMap:
        """Add a Java properties file (``k=v`` lines)."""
        lines = [f"{k}={v}" for k, v in mapping(properties, "properties").items()]
        return self._put(key, "\n".join(lines) + "\n")

    @builder_method
    def add_ini(self, key: str, sections: Mapping[str, Mapping[str, Any]]) -> ConfigMap:
        """Add an INI file (one ``[section]`` per dict entry)."""
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the keys' case
        for section, values in mapping(sections, "sections").items():
            parser[section] = {k: str(v) for k, v in mapping(values, f"section {section}").items()}
        out = io.StringIO()
        parser.write(out)
        return self._put(key, out.getvalue())

    @builder_method
    def add_toml(self, key: str, data: Mapping[str, Any]) -> ConfigMap:
        """Add a TOML file (scalars, lists and nested tables)."""
        return self._put(key, _toml(mapping(data, "data")))

    @builder_method
    def from_file(self, key: str, file_path: Any) -> ConfigMap:
        """Add the content of a file (read now; non-UTF-8 content goes to binaryData)."""
        data = _read(file_path, f"ConfigMap {self._name!r}")
        try:
            return self._put(key, data.decode("utf-8"))
        except UnicodeDecodeError:
            self._binary[_fresh(key, "ConfigMap", self._name, self._data, self._binary)] = data
            return self

    @builder_method
    def from_directory(self, directory_path: Any, pattern: str = "*", recursive: bool = False) -> ConfigMap:
        """Add every file of a directory matching ``pattern`` (one key per file name)."""
        root = Path(directory_path)
        if not root.is_dir():
            raise fail(f"ConfigMap {self._name!r}: {root} is not a directory", "Check the path.")
        found = sorted(root.rglob("*") if recursive else root.iterdir())
        matched = [p for p in found if p.is_file() and fnmatch.fnmatch(p.name, pattern)]
        if not matched:
            raise fail(f"ConfigMap {self._name!r}: no file in {root} matches {pattern!r}", "Check the pattern.")
        for path in matched:
            self.from_file(path.name, path)
        return self

    @builder_method
    def from_env_file(self, file_path: Any, prefix: str = "") -> ConfigMap:
        """Add every ``KEY=value`` line of a .env file (keys prefixed with ``prefix``)."""
        for key, value in _env_file(file_path, f"ConfigMap {self._name!r}").items():
            self._put(prefix + key, value)
        return self

    @builder_method
    def file_permissions(self, mode: int) -> ConfigMap:
        """The mode of the mounted files (``0o644``); applies with ``mount_path()``."""
        self._mode = check_count(mode, "file_permissions")
        if not 0 <= mode <= 0o777:
            raise fail(f"file_permissions {mode!r} is not a file mode", "Write it in octal, e.g. 0o644.")
        return self

    from_template = unsupported(
        "from_template",
        "pykro does not render templates",
        "a Python f-string (or your template engine) and .add(key, text)",
    )
    hot_reload = unsupported(
        "hot_reload",
        "reloading needs a controller pykro does not install",
        "a reloader such as stakater/Reloader and its annotation via add_annotation()",
    )

    def _make(self) -> list[ResourceRef]:
        binary = {k: v for k, v in self._binary.items()} or None
        return [_ConfigMap(self._name, data=dict(self._data) or None, binary_data=binary, **self._meta())]
