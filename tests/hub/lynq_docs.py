"""Small Lynq YAML documents for the Lynq tests (``{name}`` and friends filled in by `hub_yaml`/`form_yaml`)."""

from __future__ import annotations

import re
from pathlib import Path

HUB = """\
apiVersion: operator.lynq.sh/v1
kind: LynqHub
metadata:
  name: {name}
  namespace: lynq-system
spec:
  source:
    type: mysql
    syncInterval: 1m
    mysql:
      host: mysql.internal
      port: 3306
      database: nodes_db
      table: {table}
      username: lynq_reader
      passwordRef:
        name: mysql-credentials
        key: password
  valueMappings:
    uid: node_id
    activate: is_active
  extraValueMappings:
    image: image
    replicas: replicas
"""

FORM = """\
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata:
  name: {name}
spec:
  hubId: {hub}
  configMaps:
    - id: cfg
      nameTemplate: "{{{{ .uid }}}}-cfg"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data:
          image: "{{{{ .image }}}}"
          replicas: "{{{{ .replicas | int }}}}"
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def hub_yaml(tmp: Path, name: str = "tenants", table: str = "nodes", file: str = "hub.yaml") -> Path:
    return write(tmp / file, HUB.format(name=name, table=table))


def form_yaml(
    tmp: Path, name: str = "app", hub: str = "tenants", file: str = "form.yaml", body: str | None = None
) -> Path:
    return write(tmp / file, body if body is not None else FORM.format(name=name, hub=hub))


def assert_located(message: str, word: str, folder: Path) -> None:
    """``word`` is in ``message``; a ``file.yaml: yaml.path`` (or ``file.yaml#2: …``) word must be there as
    ``file.yaml:LINE: yaml.path``, LINE holding the path's last key written in the file (the deepest one there)."""
    written = re.fullmatch(r"(?P<file>[\w-]+\.yaml)(?:#\d+)?: (?P<path>.+)", word)
    if written is None:
        assert word in message, message
        return
    file, path = written.group("file"), written.group("path")
    found = re.search(re.escape(file) + r":(\d+): " + re.escape(path), message)
    assert found is not None, (word, message)
    line = (folder / file).read_text().splitlines()[int(found.group(1)) - 1]
    keys = [k for k in re.split(r"[.\[\]]", path) if k and not k.isdigit()]
    item = "[" in path and line.lstrip().startswith("- ")  # a list item missing a field: the item's line
    assert item or any(f"{k}:" in line or f"- {k}" in line for k in keys), (word, line, message)
