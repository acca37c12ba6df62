"""Seed 000, production version (TypeKro's webAppWithProcessing): a CloudNativePG PostgreSQL cluster with a PgBouncer
pooler, a Valkey cache, the Inngest workflow engine (a Flux HelmRelease) and the app, wired together. The Inngest keys
are SecretStr spec fields: they go into a Secret, never into plain env or status.

pykro render examples/webapp_with_processing.py --rgd
pykro deploy examples/webapp_with_processing.py --local --set name=my-app --set app.image=nginx \
    --set processing.eventKey=... --set processing.signingKey=...
"""

import os

from pykro.integrations.webapp import WebAppWithProcessingSpec, webapp_with_processing

__all__ = ["webapp_with_processing"]


def main() -> None:
    from pykro.integrations.containers import build_image

    image = build_image("./apps/my-app", "my-app", registry="registry.example.com/team")
    factory = webapp_with_processing.factory("direct", namespace="production")
    factory.deploy(
        WebAppWithProcessingSpec(
            name="my-app",
            app={"image": image, "port": 3000},
            database={"storage_size": "50Gi", "storage_class": "gp3", "instances": 3},
            cache={"shards": 3},
            processing={
                "event_key": os.environ["INNGEST_EVENT_KEY"],
                "signing_key": os.environ["INNGEST_SIGNING_KEY"],
            },
        )
    )


if __name__ == "__main__":
    main()
