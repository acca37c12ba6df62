"""CloudNativePG (``postgresql.cnpg.io/v1``): ``Cluster``, ``Pooler``, ``ScheduledBackup``.

Readiness as the operator reports it:

* ``Cluster``: ``status.phase`` is ``"Cluster in healthy state"`` and ``status.readyInstances`` reaches
  ``spec.instances``;
* ``Pooler``: ``status.instances`` (the PgBouncer pods the operator has scheduled; CloudNativePG reports no ready
  count for a pooler) reaches ``spec.instances`` (default 1);
* ``ScheduledBackup``: ready once it exists (it only schedules Backups).

Example::

    db = Cluster(f"{spec.name}-db", id="db", instances=3, storage={"size": "10Gi"})
    Pooler(f"{spec.name}-pooler", id="pooler", cluster={"name": db.metadata.name}, pgbouncer={"poolMode": "session"})
    url = f"postgresql://{db.status.writeService}:5432/app"
"""

from __future__ import annotations

from pykro.crds import CustomResource
from pykro.integrations import _vendored

__all__ = ["HEALTHY", "Cluster", "Pooler", "ScheduledBackup"]

HEALTHY = "Cluster in healthy state"  # CloudNativePG's status.phase for a cluster with every instance up

_CLUSTER = "postgresql.cnpg.io_clusters"
_POOLER = "postgresql.cnpg.io_poolers"
_SCHEDULED = "postgresql.cnpg.io_scheduledbackups"


class Cluster(
    CustomResource,
    crd=_vendored.crd(_CLUSTER),
    source=_vendored.source(_CLUSTER),
    ready=[f'self.status.phase == "{HEALTHY}" && self.status.readyInstances >= self.spec.instances'],
):
    """A PostgreSQL cluster managed by CloudNativePG."""

    __slots__ = ()


class Pooler(
    CustomResource,
    crd=_vendored.crd(_POOLER),
    source=_vendored.source(_POOLER),
    ready=["self.status.instances >= self.spec.?instances.orValue(1)"],
):
    """A PgBouncer connection pooler in front of a CloudNativePG cluster."""

    __slots__ = ()


class ScheduledBackup(CustomResource, crd=_vendored.crd(_SCHEDULED), source=_vendored.source(_SCHEDULED), ready=[]):
    """Backups of a CloudNativePG cluster on a cron schedule."""

    __slots__ = ()
