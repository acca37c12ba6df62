"""Instances side by side on the emulator: a second instance cannot take over the first one's objects (nor objects
pykro did not create) unless forced; one deploy or delete per instance at a time (a Lease), truly concurrent runs
included; diff of an instance not deployed yet; instance and composition names that would make records collide."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import DeployError, DeployOptions, NullReporter
from pykro.deploy import _inventory as inv
from pykro.deploy._api import CONFIGMAP_TYPE, LEASE_TYPE, Cluster
from pykro.deploy._errors import OwnershipConflict
from pykro.deploy._lock import InstanceLocked
from pykro.errors import ValidationError
from pykro.graph import Graph

RGD = """
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata: {name: shared}
spec:
  schema:
    apiVersion: v1alpha1
    kind: Shared
    spec:
      app: string
      image: string
  resources:
    - id: cfg
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${schema.spec.app}-cfg"}, data: {a: b}}
    - id: web
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: "${schema.spec.app}-web"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: "${schema.spec.app}"}}
          template:
            metadata: {labels: {app: "${schema.spec.app}"}}
            spec: {containers: [{name: c, image: "${schema.spec.image}"}]}
"""
GRAPH = Graph.from_rgd(yamlio.load(RGD))


def _labels(kit: Any, ns: str, name: str) -> dict[str, str]:
    found = [o for o in kit.labelled(name, ns)]
    return {o["metadata"]["name"]: o["metadata"]["labels"][inv.INSTANCE] for o in found}


def _object(kit: Any, kind: str, ns: str, name: str) -> dict[str, Any] | None:
    cluster = kit.cluster

    async def find(api: Any) -> dict[str, Any] | None:
        for _, obj in cluster.engine.store.all_objects():
            meta = obj.get("metadata") or {}
            if obj.get("kind") == kind and meta.get("namespace") == ns and meta.get("name") == name:
                return dict(obj)
        return None

    result: dict[str, Any] | None = cluster.run(find)
    return result


# ---------------------------------------------------------------------------------------------- ownership
def test_a_second_instance_does_not_take_over_the_first_ones_objects(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    mark = kit.mark()
    with pytest.raises(OwnershipConflict) as info:
        factory.deploy({"app": "shop", "image": "nginx:2"}, name="dev2")
    text = str(info.value)
    assert "'dev2'" in text and "instance 'dev'" in text, text
    assert "ConfigMap 'shop-cfg'" in text and "Deployment 'shop-web'" in text and "--force-takeover" in text
    assert kit.writes(mark) == [], "a clash stops before any write"
    assert {o["metadata"]["name"] for o in kit.labelled("dev", ns)} == {"shop-cfg", "shop-web"}
    assert kit.labelled("dev2", ns) == []
    assert [(i.name, i.state) for i in factory.instances()] == [("dev", "ACTIVE")]
    # deleting the would-be taker finds nothing of its own, writes nothing and leaves dev's objects alone
    mark = kit.mark()
    with pytest.raises(DeployError, match="no Shared instance named 'dev2'"):
        factory.delete("dev2")
    assert kit.writes(mark) == []
    assert {o["metadata"]["name"] for o in kit.labelled("dev", ns)} == {"shop-cfg", "shop-web"}


def test_force_takeover_moves_the_objects_deliberately(kit: Any) -> None:
    ns = kit.unique()
    reporter = NullReporter()
    factory = kit.direct(GRAPH, ns, reporter=reporter)
    factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    result = factory.deploy({"app": "shop", "image": "nginx:2"}, name="dev2", force_takeover=True)
    assert result.state == "ACTIVE"
    assert {o["metadata"]["name"] for o in kit.labelled("dev2", ns)} == {"shop-cfg", "shop-web"}
    assert kit.labelled("dev", ns) == []
    takeovers = [e for e in reporter.events if e.type == "takeover"]
    assert sorted(e.name for e in takeovers) == ["shop-cfg", "shop-web"]
    assert all("instance 'dev'" in e.message for e in takeovers)


def test_objects_pykro_did_not_create_are_not_adopted_unless_forced(kit: Any) -> None:
    ns = kit.unique()
    theirs = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shop-cfg", "namespace": ns}}

    async def create_by_hand() -> None:
        async with Cluster(kubeconfig=kit.cluster.kubeconfig_path, namespace=ns, field_manager="kubectl") as c:
            from pykro.deploy._api import NAMESPACE_TYPE

            await c.apply(NAMESPACE_TYPE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            await c.apply(CONFIGMAP_TYPE, {**theirs, "data": {"mine": "yes"}})

    asyncio.run(create_by_hand())
    factory = kit.direct(GRAPH, ns)
    mark = kit.mark()
    with pytest.raises(OwnershipConflict) as info:
        factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    assert "ConfigMap 'shop-cfg'" in str(info.value) and "not created by pykro (field managers: kubectl)" in str(
        info.value
    )
    assert kit.writes(mark) == []
    assert factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev", force_takeover=True).state == "ACTIVE"
    assert _labels(kit, ns, "dev") == {"shop-cfg": "dev", "shop-web": "dev"}


def test_a_retained_object_is_adopted_again_by_the_instance_it_was_released_from(kit: Any) -> None:
    rgd = yamlio.load(RGD)
    rgd["spec"]["resources"][0]["template"]["metadata"]["annotations"] = {inv.DELETION_POLICY: "Retain"}
    graph = Graph.from_rgd(rgd)
    ns = kit.unique()
    factory = kit.direct(graph, ns)
    factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    kept = factory.delete("dev")
    assert [o["metadata"]["name"] for o in kept] == ["shop-cfg"]
    with pytest.raises(OwnershipConflict, match="not created by pykro"):
        factory.deploy({"app": "shop", "image": "nginx:1"}, name="other")
    assert factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev").state == "ACTIVE"
    assert _labels(kit, ns, "dev") == {"shop-cfg": "dev", "shop-web": "dev"}


# ---------------------------------------------------------------------------------------------- one at a time
class Pause(NullReporter):
    """Holds the deploy (inside its event loop, lock taken) at its first apply until ``go`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.go = threading.Event()

    def emit(self, event: Any) -> None:
        super().emit(event)
        if event.type == "apply" and not self.holding.is_set():
            self.holding.set()
            self.go.wait()


def _image(kit: Any, ns: str) -> str:
    web = _object(kit, "Deployment", ns, "shop-web")
    assert web is not None
    return str(web["spec"]["template"]["spec"]["containers"][0]["image"])


def _record_spec(kit: Any, ns: str, name: str) -> dict[str, Any]:
    import json

    rec = _object(kit, "ConfigMap", ns, f"pykro.shared.{name}")
    assert rec is not None
    return dict(json.loads(rec["data"]["spec"]))


def test_two_concurrent_deploys_of_one_instance_one_loses_with_a_message(kit: Any) -> None:
    ns = kit.unique()
    kit.direct(GRAPH, ns).deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    pause = Pause()
    first = kit.direct(GRAPH, ns, reporter=pause)
    second = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, lock_wait=0))
    results: dict[str, Any] = {}

    def run(key: str, factory: Any, image: str) -> None:
        try:
            results[key] = factory.deploy({"app": "shop", "image": image}, name="dev")
        except Exception as exc:  # the test inspects what each thread ended with
            results[key] = exc
        finally:
            pause.go.set()

    a = threading.Thread(target=run, args=("a", first, "nginx:1"))
    a.start()
    assert pause.holding.wait(60)
    b = threading.Thread(target=run, args=("b", second, "nginx:2"))
    b.start()  # runs while the first deploy holds the lock, in its own thread and event loop
    b.join()
    a.join()
    assert results["a"].state == "ACTIVE", results["a"]
    loser = results["b"]
    assert isinstance(loser, InstanceLocked), loser
    text = str(loser)
    assert "locked by a deploy run by" in text and "pid" in text and "kubectl delete lease" in text
    assert f"-n {ns} pykro.shared.dev" in text
    assert _image(kit, ns) == "nginx:1" and _record_spec(kit, ns, "dev")["image"] == "nginx:1"
    assert [(i.name, i.state) for i in first.instances()] == [("dev", "ACTIVE")]


def test_a_waiting_deploy_runs_after_the_holder_finishes(kit: Any) -> None:
    ns = kit.unique()
    kit.direct(GRAPH, ns).deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    pause = Pause()
    waited = threading.Event()

    class Waiter(NullReporter):
        def emit(self, event: Any) -> None:
            super().emit(event)
            if event.type == "lock":
                waited.set()

    first = kit.direct(GRAPH, ns, reporter=pause)
    second = kit.direct(GRAPH, ns, reporter=Waiter(), options=DeployOptions(timeout=60, lock_wait=600))
    results: dict[str, Any] = {}
    a = threading.Thread(
        target=lambda: results.setdefault("a", first.deploy({"app": "shop", "image": "nginx:1"}, name="dev"))
    )
    a.start()
    assert pause.holding.wait(60)
    b = threading.Thread(
        target=lambda: results.setdefault("b", second.deploy({"app": "shop", "image": "nginx:2"}, name="dev"))
    )
    b.start()
    assert waited.wait(60), "the second deploy says it waits for the lock"
    pause.go.set()
    a.join()
    b.join()
    assert results["a"].state == "ACTIVE" and results["b"].state == "ACTIVE"
    assert _image(kit, ns) == "nginx:2" and _record_spec(kit, ns, "dev")["image"] == "nginx:2"


def test_delete_waits_for_no_one_while_a_deploy_holds_the_lock(kit: Any) -> None:
    ns = kit.unique()
    kit.direct(GRAPH, ns).deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    pause = Pause()
    deployer = kit.direct(GRAPH, ns, reporter=pause)
    deleter = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, lock_wait=0))
    results: dict[str, Any] = {}
    a = threading.Thread(
        target=lambda: results.setdefault("a", deployer.deploy({"app": "shop", "image": "nginx:1"}, name="dev"))
    )
    a.start()
    assert pause.holding.wait(60)
    try:
        with pytest.raises(InstanceLocked, match="locked by a deploy"):
            deleter.delete("dev")
    finally:
        pause.go.set()
        a.join()
    assert results["a"].state == "ACTIVE"
    deleter.delete("dev")  # free again: the delete runs, and removes the lock with the instance
    assert kit.labelled("dev", ns) == [] and _object(kit, "Lease", ns, "pykro.shared.dev") is None


def _plant_lease(kit: Any, ns: str, renewed: datetime) -> None:
    stamp = renewed.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lease: dict[str, Any] = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "pykro.shared.dev", "namespace": ns},
        "spec": {
            "holderIdentity": "ghost@gone pid 1",
            "leaseDurationSeconds": 60,
            "acquireTime": stamp,
            "renewTime": stamp,
        },
    }

    async def plant() -> None:
        async with Cluster(kubeconfig=kit.cluster.kubeconfig_path, namespace=ns) as c:
            existing = await c.get(LEASE_TYPE, "pykro.shared.dev", ns)
            if existing is None:
                await c.create(LEASE_TYPE, lease)
            else:
                lease["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
                await c.replace(LEASE_TYPE, lease)

    asyncio.run(plant())


def test_a_live_lock_names_its_holder_and_an_expired_one_is_taken(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, lock_wait=0))
    factory.deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    _plant_lease(kit, ns, datetime.now(UTC))
    mark = kit.mark()
    with pytest.raises(InstanceLocked) as info:
        factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    assert "ghost@gone pid 1" in str(info.value)
    assert kit.writes(mark) == [], "the loser writes nothing"
    _plant_lease(kit, ns, datetime.now(UTC) - timedelta(minutes=5))  # its holder stopped renewing long ago
    assert factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev").state == "ACTIVE"
    assert _image(kit, ns) == "nginx:1"


def test_a_new_instance_takes_its_lock_with_one_create_and_reads_its_record_once(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    factory.deploy({"app": "old", "image": "nginx:1"}, name="other")  # the namespace exists
    mark = kit.mark()
    assert factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev").state == "ACTIVE"
    log = [(i.verb, i.resource, i.name) for _, i, _ in kit.cluster.request_log()[mark:]]
    leases = [(verb, name) for verb, resource, name in log if resource == "leases"]
    assert leases == [("create", None), ("update", "pykro.shared.dev")], leases  # a create names no object
    assert log.count(("get", "configmaps", "pykro.shared.dev")) == 1, log
    assert _object(kit, "Lease", ns, "pykro.shared.dev")["spec"].get("holderIdentity") is None  # type: ignore[index]
    assert _record_spec(kit, ns, "dev")["image"] == "nginx:1"


def test_a_new_instance_whose_lease_exists_waits_for_it_or_takes_it_when_expired(kit: Any) -> None:
    """A Lease without a record (its holder's first deploy): the plain create loses, the lock is read as usual."""
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, lock_wait=0))
    factory.deploy({"app": "old", "image": "nginx:1"}, name="other")  # the namespace exists
    _plant_lease(kit, ns, datetime.now(UTC))
    mark = kit.mark()
    with pytest.raises(InstanceLocked) as info:
        factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev")
    assert "ghost@gone pid 1" in str(info.value)
    done = [(i.verb, i.resource) for _, i, code in kit.cluster.request_log()[mark:] if code < 400]
    assert [w for w in done if w[0] in ("create", "update", "patch", "apply", "delete")] == [], "nothing written"
    assert _object(kit, "ConfigMap", ns, "pykro.shared.dev") is None
    _plant_lease(kit, ns, datetime.now(UTC) - timedelta(minutes=5))  # its holder stopped renewing long ago
    assert factory.deploy({"app": "shop", "image": "nginx:1"}, name="dev").state == "ACTIVE"
    assert _image(kit, ns) == "nginx:1" and _record_spec(kit, ns, "dev")["image"] == "nginx:1"


# ---------------------------------------------------------------------------------------------- diff, names
def test_diff_of_an_instance_not_deployed_yet_shows_everything_as_created(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    factory.deploy({"app": "old", "image": "nginx:1"}, name="other")  # the namespace exists, "fresh" does not
    before = kit.versions()
    for name in ("fresh", "fresher"):
        diff = factory.diff({"app": name, "image": "nginx:1"}, name=name)
        assert [(e.resource, e.action) for e in diff.entries] == [("cfg", "create"), ("web", "create")]
        assert "image: nginx:1" in diff.entries[1].text
    assert kit.versions() == before, "diff must not write"
    # and in a namespace that does not exist yet either
    diff = kit.direct(GRAPH, kit.unique()).diff({"app": "shop", "image": "nginx:1"}, name="fresh")
    assert [e.action for e in diff.entries] == ["create", "create"]


def test_a_name_too_long_for_the_inventory_is_refused_before_any_request(kit: Any) -> None:
    ns = kit.unique()
    factory = kit.direct(GRAPH, ns)
    mark = kit.mark()
    for long_name in ("a" * 64, "a" * 250 + "-x", "a" * 250 + "-y"):
        with pytest.raises(ValidationError, match="at most 63 characters"):
            factory.deploy({"app": "shop", "image": "nginx:1"}, name=long_name)
    # the log is the shared emulator's: a watch an earlier test opened in its own namespace can be logged after the
    # mark (a watch is logged when its answer starts); every request this deploy could make is cluster-wide or in ns
    assert [i for _, i, _ in kit.cluster.request_log()[mark:] if i.namespace in (None, ns)] == []


def test_names_joining_to_the_same_record_name_are_an_error_not_a_shared_record(kit: Any) -> None:
    ns = kit.unique()
    dotted = yamlio.load(RGD)
    dotted["metadata"]["name"] = "shared.x"
    dotted["spec"]["schema"]["kind"] = "SharedX"
    kit.direct(GRAPH, ns).deploy({"app": "one", "image": "nginx:1"}, name="x.y")  # record pykro.shared.x.y
    other = kit.direct(Graph.from_rgd(dotted), ns)
    mark = kit.mark()
    with pytest.raises(DeployError, match=r"record name 'pykro\.shared\.x\.y' is taken by instance 'x\.y'"):
        other.deploy({"app": "two", "image": "nginx:1"}, name="y")
    assert kit.writes(mark) == []
    assert _record_spec(kit, ns, "x.y")["app"] == "one"


def test_deploys_started_together_end_in_one_consistent_spec(kit: Any) -> None:
    ns = kit.unique()
    kit.direct(GRAPH, ns).deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    start = threading.Barrier(2)
    results: dict[str, Any] = {}

    def run(image: str) -> None:
        factory = kit.direct(GRAPH, ns, options=DeployOptions(timeout=60, lock_wait=0))
        start.wait()
        try:
            results[image] = factory.deploy({"app": "shop", "image": image}, name="dev")
        except InstanceLocked as exc:
            results[image] = exc

    threads = [threading.Thread(target=run, args=(image,)) for image in ("nginx:1", "nginx:2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [image for image, r in results.items() if not isinstance(r, Exception)]
    assert won and all(results[i].state == "ACTIVE" for i in won)
    assert all("locked by a deploy" in str(r) for r in results.values() if isinstance(r, Exception))
    # whatever the interleaving: the live objects and the record carry one and the same spec, a winner's
    assert _image(kit, ns) == _record_spec(kit, ns, "dev")["image"] and _image(kit, ns) in won


def test_the_lock_is_renewed_while_held_and_free_once_released(kit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykro.deploy import _lock as lock_module

    monkeypatch.setattr(lock_module, "RENEW_EVERY", 0.05)
    ns = kit.unique()
    kit.direct(GRAPH, ns).deploy({"app": "shop", "image": "nginx:0"}, name="dev")
    ref = inv.InstanceRef("shared", "dev", ns)

    async def scenario() -> None:
        async with Cluster(kubeconfig=kit.cluster.kubeconfig_path, namespace=ns) as c:
            held = lock_module.InstanceLock(c, ref, "deploy", wait=0)
            await held.acquire()
            taken = (await c.get(LEASE_TYPE, ref.record_name, ns) or {})["spec"]
            await asyncio.sleep(0.5)
            renewed = (await c.get(LEASE_TYPE, ref.record_name, ns) or {})["spec"]
            assert renewed["holderIdentity"] == held.holder
            then, now = lock_module._age(taken["renewTime"]), lock_module._age(renewed["renewTime"])
            assert then is not None and now is not None and now < then, (taken, renewed)
            other = lock_module.InstanceLock(c, ref, "delete", wait=0)
            with pytest.raises(InstanceLocked, match="locked by a deploy"):
                await other.acquire()
            await held.release()
            assert "holderIdentity" not in (await c.get(LEASE_TYPE, ref.record_name, ns) or {})["spec"]
            await other.acquire()  # free at once
            await other.release(delete=True)
            assert await c.get(LEASE_TYPE, ref.record_name, ns) is None

    asyncio.run(scenario())
