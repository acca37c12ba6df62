"""Fixtures shared by the emulator tests: a bare emulator (no simulation) for API tests, and unique namespaces."""

from __future__ import annotations

import functools
import itertools
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from lightkube import Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace
from tests.helpers import Raw

from pykro.emulator._cluster import LocalCluster

_counter = itertools.count()


@pytest.fixture(scope="module")
def bare_cluster() -> Iterator[LocalCluster]:
    """An emulator without workload simulation, shared by one test module."""
    with LocalCluster(simulate=False, bookmark_interval=0.2) as cluster:
        yield cluster


@pytest.fixture
def client(bare_cluster: LocalCluster) -> Iterator[Client]:
    yield bare_cluster.client()


@pytest.fixture
def ns(client: Client) -> str:
    """A fresh namespace for one test."""
    name = f"t{next(_counter)}"
    client.create(Namespace(metadata=ObjectMeta(name=name)))
    return name


@pytest.fixture
def raw(bare_cluster: LocalCluster) -> Raw:
    """Plain HTTP against the module's emulator: raw(method, path, body=None, token=..., content_type=...)."""
    return functools.partial(raw_request, bare_cluster)


def raw_request(
    cluster: LocalCluster,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = "",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One plain HTTP request (no client library): (status, headers, decoded JSON or text)."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(cluster.server + path, data=data, method=method)
    req.add_header("Content-Type", content_type)
    bearer = cluster.token if token == "" else token
    if bearer:
        req.add_header("Authorization", f"Bearer {bearer}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    ctx = ssl.create_default_context(cadata=cluster.ca_pem.decode()) if cluster.ca_pem else None
    try:
        with urllib.request.urlopen(req, context=ctx) as resp:
            status, hdrs, text = resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as err:
        status, hdrs, text = err.code, dict(err.headers), err.read().decode()
    try:
        return status, hdrs, json.loads(text)
    except ValueError:
        return status, hdrs, text
