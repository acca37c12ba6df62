"""Typed kinds of common operators, ready to use in compositions (their CRD schemas ship inside the package).

* :mod:`pykro.integrations.cnpg` — CloudNativePG ``Cluster``, ``Pooler``, ``ScheduledBackup``
* :mod:`pykro.integrations.flux` — Flux ``HelmRepository``, ``OCIRepository``, ``GitRepository``, ``HelmRelease``,
  ``Kustomization``
* :mod:`pykro.integrations.valkey` — the Hyperspike operator's ``Valkey``
* :mod:`pykro.integrations.certmanager` — cert-manager ``Certificate``, ``Issuer``, ``ClusterIssuer``

Graph building blocks:

* :mod:`pykro.integrations.helm` — ``helm_release`` (a Flux HelmRepository + HelmRelease in the graph)
* :mod:`pykro.integrations.yamlfiles` — ``yaml_file``, ``yaml_directory`` (every object a node)
* :mod:`pykro.integrations.webapp` — ``webapp_with_processing`` (CloudNativePG, Valkey, Inngest and the app)
* :mod:`pykro.integrations.bootstrap` — ``runtime_bootstrap`` (Flux and kro)
* :mod:`pykro.integrations.containers` — ``build_image`` (``pykro build``)

Each operator class is a :class:`pykro.crds.CustomResource` with the readiness its operator documents. The schemas are
the operators' Apache-2.0 CRDs (see ``data/README.md``).
"""

__all__: list[str] = []
