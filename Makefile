# cerebrepro: every target installs what it needs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYNEST_QUIET := 1
export MPLBACKEND := Agg

.PHONY: install test test-fast verify reproduce lint lint-containers bench clean help \
	lint-format lint-layers lint-types \
	test-containers test-containers-all test-apptainer-post test-apptainer-full

help:
	@echo "make reproduce   install, then reproduce figure 4 on NEST with offline defaults"
	@echo "make test        install, then run the test suite"
	@echo "make verify      install, then run the 400x400 reference and compare it with its stored statistics"
	@echo "make lint        ruff (check and format), import layers, types and the container recipe checks"

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[spinnaker,brian2,test,events,sweep]'
	@touch $@

test: install
	$(BIN)/python -m pytest -q --durations=15

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

verify: install
	$(BIN)/cerebrepro verify --junit verify-report.xml

reproduce: install
	$(BIN)/cerebrepro reproduce --figure 4

lint: install lint-containers lint-format lint-layers lint-types
	$(BIN)/ruff check cerebrepro tests scripts

# One style: `ruff format` would change nothing.
lint-format: install
	$(BIN)/ruff format --check cerebrepro tests scripts

# The layers of .importlinter: each package imports only the packages below it.
lint-layers: install
	$(BIN)/lint-imports --no-cache --no-logo

# The backend contract, the registry and the network description, strictly ([tool.mypy]).
lint-types: install
	$(BIN)/mypy

lint-containers: install
	$(BIN)/python scripts/check_recipes.py Dockerfile apptainer.def

bench: install
	$(BIN)/cerebrepro bench cerebellum

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Containers, as root with podman from Debian (docs/hpc.md); each removes all it made.
# test-containers: the nest image built and run (--network none, --read-only, uid 10001),
# and the check shown to fail on broken variants; -all: the spinnaker image too.
# test-apptainer-post: apptainer.def's %post up to NEST's cmake configure; -full: all of
# %post (about 50 minutes on 2 shared cores), then %test (MPI: 2 ranks give the spikes of 1).
test-containers:
	bash scripts/check_containers.sh --selftest-broken

test-containers-all:
	bash scripts/check_containers.sh --all --selftest-broken

test-apptainer-post:
	bash scripts/check_apptainer_post.sh

test-apptainer-full:
	bash scripts/check_apptainer_post.sh --full
