"""Celestra's StatefulApp page (seed 003), security, configuration and observability sections, in pykro's builders.

python examples/builders/security.py          # print the YAML
python examples/builders/security.py ./k8s    # write one file per object into ./k8s
"""

import sys
from collections.abc import Callable
from typing import Any

from pykro import _yamlio as yamlio
from pykro.celestra import (
    ConfigMap,
    KubernetesOutput,
    NetworkPolicy,
    Observability,
    Role,
    Secret,
    SecurityPolicy,
    ServiceAccount,
    StatefulApp,
)


def pg(name: str) -> StatefulApp:
    """The page's StatefulApp("postgres"), with the image and port pykro requires, under a name of its own."""
    return StatefulApp(name).image("postgres:15").port(5432)


# Add Service Account: created with the database and set as its pods' service account
with_sa = pg("pg-sa").add_service_account(ServiceAccount("db-sa"))
# Add Role: the Role, and a RoleBinding <app>-<role> to the app's service account
with_role = (
    pg("pg-role").add_service_account(ServiceAccount("pg-role-sa")).add_role(Role("db-role").add_policy("get", "pods"))
)
# Add Network Policy: selects the database's pods and lets in pods labelled app=api
with_policy = pg("pg-policy").add_network_policy(NetworkPolicy("db-policy").allow_pods_with_label("app", "api"))
# Add Security Policy: the restricted Pod Security Standard, written as the pod's and container's securityContext
with_security = pg("pg-restricted").add_security_policy(
    SecurityPolicy("restricted").pod_security_standards("restricted")
)

# Add Secret(s): each key becomes an environment variable (so the key is the variable's name)
with_secret = pg("pg-secret").add_secret(Secret("db-secret").add("password", "secure-password"))
with_secrets = pg("pg-secrets").add_secrets(
    [
        Secret("pg-secrets-password").add("password", "secure-password"),
        # Secret("tls-cert").from_file("cert.pem"): pykro's from_file takes the key too and reads the file now
        Secret("tls-cert").add("cert.pem", "-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n"),
        Secret("ca-cert").add("ca.pem", "-----BEGIN CERTIFICATE-----\nexample-ca\n-----END CERTIFICATE-----\n"),
    ]
)
# Add Config(s): each key becomes an environment variable
with_config = pg("pg-config").add_config(ConfigMap("db-config").add("max_connections", "200"))
with_configs = pg("pg-configs").add_configs(
    [
        ConfigMap("pg-configs-settings").add("max_connections", "200"),
        # ConfigMap("postgres-config").from_file("postgresql.conf"): from_file("postgresql.conf", path) reads a file
        ConfigMap("postgres-config").add("postgresql.conf", "max_connections = 200\n"),
        ConfigMap("pg-hba-config").add("pg_hba.conf", "host all all 10.0.0.0/8 scram-sha-256\n"),
    ]
)

# Add Observability: metrics (prometheus.io annotations on the pods) and structured logging
observed = pg("pg-observed").add_observability(Observability("db-monitoring").enable_metrics().enable_logging())

# Best practice 4: secrets and RBAC together
secure = (
    pg("pg-secure")
    .add_secret(Secret("pg-secure-secret").add("POSTGRES_PASSWORD", "secure-password"))
    .add_service_account(ServiceAccount("pg-secure-sa"))
    .add_role(Role("pg-secure-role").add_policy("get", "pods"))
)

EXTRA: list[Any] = []  # objects of their own the examples use (none in this section)

APPS = [
    with_sa,
    with_role,
    with_policy,
    with_security,
    with_secret,
    with_secrets,
    with_config,
    with_configs,
    observed,
    secure,
]


REFUSED: dict[str, Callable[[], Any]] = {}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        KubernetesOutput().generate([*APPS, *EXTRA], sys.argv[1])
    else:
        print(yamlio.dump_all([obj for app in [*APPS, *EXTRA] for obj in app.objects()]), end="")
