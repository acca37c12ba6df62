# pykro developer entry points. `make demo` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test tools lint typecheck unit slow floors bench bench-peers e2e databases clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/pykro deploy examples/fullstack.py --local -n demo --set name=myapp --set appImage=node:20 --set replicas=2

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# src is strict; tests are checked under pyproject's [[tool.mypy.overrides]] for tests.* (not strict).
typecheck: setup
	$(BIN)/mypy src tests

unit: setup
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Tests marked slow (deselected from a plain `pytest` run).
slow: setup
	$(BIN)/pytest -q -p no:cacheprovider -m slow $(PYTEST_ARGS)

# helm v4.3.2, kustomize and compose-check (compose-go), which tests/render checks the --helm/--kustomize/--compose
# outputs with: built once from their Go modules into ~/.cache/pykro-tools (scripts/tools.sh).
tools:
	scripts/tools.sh build

test: tools lint typecheck unit slow

# The unit tests against the lowest versions pyproject.toml allows (constraints/lowest.txt), in a venv of their own.
FLOORS := .venv-floors
floors:
	@test -x $(FLOORS)/bin/python || $(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -m pip install --quiet -c constraints/lowest.txt -e '.[dev]'
	$(FLOORS)/bin/pytest -q -p no:cacheprovider -x $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

# pykro against celestra and cdk8s rendering the same 200 apps, and pykro's builders against celestra and plain
# dicts + PyYAML rendering 200 StatefulApps; the peers live in a venv of their own
# (bench/peers/.venv, made from PyPI on the first run; cdk8s needs node on PATH).
bench-peers: setup
	$(BIN)/python -m bench.peers

# Every test marked e2e, against a real control plane (etcd, kube-apiserver, kube-controller-manager, kwok, kro v0.9.3;
# built once into ~/.cache/pykro-e2e): see docs/e2e.md.
# PYKRO_E2E_KEEP=1 leaves it running afterwards (stop it with `e2e/controlplane/cluster.sh down`).
e2e: setup
	@rc=0; e2e/controlplane/cluster.sh up && \
	  PYKRO_E2E=1 PYKRO_E2E_KUBECONFIG="$$(e2e/controlplane/cluster.sh kubeconfig)" \
	  $(BIN)/pytest -q -p no:cacheprovider -m e2e tests $(PYTEST_ARGS) || rc=$$?; \
	  test -n "$(PYKRO_E2E_KEEP)" || e2e/controlplane/cluster.sh down; exit $$rc

# Throwaway PostgreSQL and MariaDB servers on loopback for the hub's real-database tests (tests/hub); prints the
# export lines of their URLs (eval "$$(e2e/databases.sh env)" sets them; `e2e/databases.sh down` stops both).
databases:
	@e2e/databases.sh up

clean:
	rm -rf $(VENV) $(FLOORS) .mypy_cache .ruff_cache .pytest_cache build src/*.egg-info
