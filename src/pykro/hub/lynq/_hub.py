"""`LynqHub`: a `Hub` made from a LynqHub document and the LynqForms naming it (``spec.hubId``).

The LynqHub's MySQL source becomes the hub's URL (``mysql+pymysql://user@host:port/database``, table ``table``);
its ``passwordRef`` Secret is read from the cluster the hub talks to, in the hub's namespace, when the hub is
pointed at its cluster (`use_password_ref`; the CLI does it unless ``--source`` replaces the database). The
password is only ever in the connection URL, which pykro masks in every message."""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pykro._gotemplate import FUNCS
from pykro.deploy._api import SECRET_TYPE
from pykro.deploy._names import check_namespace
from pykro.errors import PykroError
from pykro.graph import Graph
from pykro.hub._hub import Hub
from pykro.hub._model import Form, parse_interval
from pykro.hub._source import Row, Source, check_identifier
from pykro.hub._split import Split
from pykro.hub.lynq._convert import LoadedForm
from pykro.hub.lynq._documents import locate, located
from pykro.hub.lynq._model import HubDoc

__all__ = ["LynqHub"]


class LynqHub(Hub):
    """A hub read from Lynq YAML (see the module docstring)."""

    def __init__(self, doc: HubDoc, file: str, where: str) -> None:
        spec = doc.spec
        mysql = spec.source.mysql
        if mysql is None:
            raise PykroError(
                "source.type is mysql but source.mysql is missing",
                where=f"{where}: spec.source.mysql",
                fix="Add host, port, username, passwordRef, database and table.",
            )
        try:
            parse_interval(spec.source.syncInterval)
        except PykroError:
            raise PykroError(
                f"syncInterval {spec.source.syncInterval!r} is not a duration pykro reads",
                where=f"{where}: spec.source.syncInterval",
                fix="Write a positive whole number and s, m or h: 30s, 1m, 2h.",
            ) from None
        self.doc = doc
        self.file = file
        self.where = where
        self.lynq_forms: dict[str, LoadedForm] = {}
        self._password_read = False
        url = f"mysql+pymysql://{quote(mysql.username, safe='')}@{mysql.host}:{mysql.port}/{quote(mysql.database)}"
        for path, column in self._mapped_columns():
            try:
                check_identifier(column, "column")
            except PykroError:
                raise PykroError(
                    f"{column!r} is not a column name pykro reads",
                    where=f"{where}: spec.{path}",
                    fix="Use a plain column name (letters, digits, _); for anything else write a view.",
                ) from None
        if doc.metadata.namespace is not None:
            check_namespace(doc.metadata.namespace, where=f"{where}: metadata.namespace")
        parts = mysql.table.split(".")
        try:
            for part in parts:
                check_identifier(part, "table name")
        except PykroError as exc:
            raise PykroError(exc.what, where=f"{where}: spec.source.mysql.table", fix=exc.fix) from None
        if len(parts) > 2:
            raise PykroError(
                f"table {mysql.table!r} has more than one dot",
                where=f"{where}: spec.source.mysql.table",
                fix="Write table or database.table.",
            )
        try:
            super().__init__(
                doc.metadata.name,
                url,
                table=mysql.table,
                uid=spec.valueMappings.uid,
                active=spec.valueMappings.activate,
                sync_every=spec.source.syncInterval,
                namespace=doc.metadata.namespace,
            )
        except PykroError as exc:
            raise PykroError(exc.what, where=f"{where}: metadata.name", fix=exc.fix) from None
        self._wording()

    def _mapped_columns(self) -> list[tuple[str, str]]:
        """(YAML path under spec, column) of every column the LynqHub maps."""
        spec = self.doc.spec
        found = [("valueMappings.uid", spec.valueMappings.uid), ("valueMappings.activate", spec.valueMappings.activate)]
        if spec.valueMappings.hostOrUrl is not None:
            found.append(("valueMappings.hostOrUrl", spec.valueMappings.hostOrUrl))
        return found + [(f"extraValueMappings.{k}", v) for k, v in spec.extraValueMappings.items()]

    def _wording(self) -> None:
        """Messages about the source name the LynqHub's file, line and YAML path, with the fix (`Wording`); the CLI's
        ``--source``, when given, for the database URL."""
        mysql = self.doc.spec.source.mysql
        assert mysql is not None  # checked when loaded
        other = " Or give --source URL to read another database."
        ref = mysql.passwordRef
        secret = (
            f"the password in Secret {ref.name!r} (key {ref.key!r}) in the hub's namespace"
            if ref is not None
            else "the password: the LynqHub has no passwordRef (add one, naming the Secret holding it)"
        )
        paths = {
            "url": ("source.mysql", "Check host, port, username and database (they make the database URL)." + other),
            "connect": (
                "source.mysql.host",
                f"Check the host and the port ({mysql.host}:{mysql.port}, spec.source.mysql.port): the MySQL server "
                "must run and be reachable from where pykro runs." + other,
            ),
            "auth": (
                "source.mysql.passwordRef" if ref is not None else "source.mysql.username",
                f"Check the username ({mysql.username!r}) and {secret}; the password is never shown." + other,
            ),
            "database": ("source.mysql.database", f"Check the database name ({mysql.database!r})." + other),
            "table": ("source.mysql.table", "Check the table or view name (and that the user may read it)."),
            "read": ("source", "Check the database (reachable, the table exists, the user may SELECT from it)."),
        }
        self.wording.declared_at = self.where
        self.wording.parts = {part: (self._at(path), fix) for part, (path, fix) in paths.items()}
        parts = {"valueMappings.uid": "uid", "valueMappings.activate": "active"}
        self.wording.columns = [(self._at(p), c, parts.get(p, "column")) for p, c in self._mapped_columns()]
        uid = self.doc.spec.valueMappings.uid
        self.wording.name_fix = (
            f"fix the row's uid (column {uid}, mapped at {self._at('valueMappings.uid')}): LynqNodes are named "
            "<uid>-<form>"
        )

    def _at(self, path: str) -> str:
        """``file:line: spec.<path>`` of the LynqHub."""
        return locate(f"{self.where}: spec.{path}") or self.where

    def variables(self, row: Row) -> dict[str, Any]:
        """The template variables of ``row``: Lynq's ``.uid``, ``.activate``, ``.hostOrUrl``/``.host``, every
        ``extraValueMappings`` key, ``.hubId`` (NULL reads as an empty string, as in Lynq)."""
        maps = self.doc.spec.valueMappings

        def value(column: str) -> Any:
            found = row[column]
            return "" if found is None else found

        data: dict[str, Any] = {"uid": str(value(maps.uid)), "activate": value(maps.activate), "hubId": self.name}
        if maps.hostOrUrl is not None:
            host = str(value(maps.hostOrUrl))
            data["hostOrUrl"] = host
            data["host"] = str(FUNCS["toHost"](host))  # Lynq's toHost
        for key, column in self.doc.spec.extraValueMappings.items():
            data[key] = value(column)
        return data

    def add_form(self, loaded: LoadedForm, depends_on: list[str] | None = None) -> None:
        """Declare ``loaded`` as one of the hub's forms (the one path Python forms take)."""
        graph = Graph.from_rgd(loaded.rgd(self.name), source=loaded.file)
        name = loaded.name
        spec = loaded.spec_function(lambda row: {**self.variables(row), "templateRef": name})

        def render(row: Row) -> dict[str, Any]:
            try:
                return spec(row)
            except PykroError as exc:  # a row's error, at the template's line
                raise located(exc) from None

        options = loaded.policies()
        try:
            form = self.form(
                graph, spec=render, name=name, instance_name="{uid}-{form}", depends_on=depends_on or (), **options
            )
        except PykroError as exc:
            raise PykroError(exc.what, where=f"{loaded.file}: spec", fix=exc.fix) from None
        form.where = loaded.file
        form.renderer = None  # each rendered resource is checked by its spec function (`pykro.hub.lynq._check`)
        self.lynq_forms[name] = loaded

    def target(
        self,
        *,
        source: str | None = None,
        kubeconfig: str | Path | None = None,
        context: str | None = None,
        namespace: str | None = None,
        mode: str | None = None,
    ) -> None:
        """`Hub.target`; in kro mode each form is split (`pykro.hub._split`): the hub applies the resources kro
        cannot honour (a Secret, ``creationPolicy: Once``, ``ignoreFields``, ``timeoutSeconds``, ``deletionPolicy:
        Retain``) and what they depend on, kro the rest."""
        if source is not None:
            self._password_read = True  # the given URL replaces the LynqHub's database and its password
        super().target(source=source, kubeconfig=kubeconfig, context=context, namespace=namespace, mode=mode)

    def split_of(self, form: Form) -> Split | None:
        """``form`` split for kro mode (None when kro can apply all of it)."""
        loaded = self.lynq_forms.get(form.name)
        found = None if loaded is None else loaded.kro_split()
        if loaded is None or found is None:
            return None
        hub_ids, kro_ids, external = found
        once = set(loaded.once_ids())
        part_graph = Graph.from_rgd(loaded.rgd(self.name, ids=hub_ids, part="hub"), source=loaded.file)
        graph = Graph.from_rgd(loaded.rgd(self.name, ids=kro_ids, external=external), source=loaded.file)
        made = self._factory(part_graph, form.policies)
        part = dataclasses.replace(form, factory=made, source=part_graph, split=None)

        def hub_spec(spec: dict[str, Any]) -> dict[str, Any]:
            return {rid: spec[rid] for rid in hub_ids if rid in spec}

        def kro_spec(spec: dict[str, Any]) -> dict[str, Any]:
            out = {rid: spec[rid] for rid in kro_ids if rid in spec}
            for rid in external:  # only the name (and namespace) of what kro waits for
                meta = (spec.get(rid) or {}).get("metadata") or {}
                out[rid] = {"metadata": {k: meta[k] for k in ("name", "namespace") if k in meta}}
            return out

        def hashed(spec: dict[str, Any]) -> dict[str, Any]:
            return {
                rid: {"metadata": spec[rid].get("metadata")} if rid in once else spec[rid] for rid in hub_spec(spec)
            }

        return Split(part, graph, tuple(hub_ids), tuple(kro_ids), hub_spec, kro_spec, hashed)

    def use_password_ref(self) -> None:
        """Read the password of the LynqHub's ``passwordRef`` from the cluster and use it for the database (once;
        nothing to do without a passwordRef or when another database was given)."""
        mysql = self.doc.spec.source.mysql
        if self._password_read or mysql is None or mysql.passwordRef is None:
            return
        ref = mysql.passwordRef
        where = f"{self.where}: spec.source.mysql.passwordRef"
        try:
            password = asyncio.run(self._read_secret(ref.name, ref.key, where))
        except PykroError as exc:
            raise located(exc) from None
        url = (
            f"mysql+pymysql://{quote(mysql.username, safe='')}:{quote(password, safe='')}@{mysql.host}:{mysql.port}/"
            f"{quote(mysql.database)}"
        )
        old = self.source
        self.source = Source(url, table=old.table_name, query=old.query)
        old.close()
        self._password_read = True

    async def _read_secret(self, name: str, key: str, where: str) -> str:
        cluster = self.cluster()
        try:
            obj = await cluster.get(SECRET_TYPE, name, cluster.namespace)
        except PykroError as exc:
            raise PykroError(f"cannot read Secret {name!r}: {exc.what}", where=where, fix=exc.fix) from None
        finally:
            await cluster.close()
        if obj is None:
            raise PykroError(
                f"Secret {name!r} not found in namespace {cluster.namespace!r}",
                where=where,
                fix="Create it (kubectl create secret generic NAME --from-literal=KEY=…), or give --source URL.",
            )
        data = obj.get("data") or {}
        if key not in data:
            raise PykroError(
                f"Secret {name!r} has no key {key!r} (keys: {', '.join(sorted(data)) or 'none'})",
                where=where,
                fix="Name a key the Secret has.",
            )
        try:
            return base64.b64decode(str(data[key]), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise PykroError(
                f"Secret {name!r} key {key!r} is not base64 UTF-8 text", where=where, fix="Store the password as text."
            ) from None
