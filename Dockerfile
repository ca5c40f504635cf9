# syntax=docker/dockerfile:1
#
# cerebrepro images for a laptop or a workstation (HPC with MPI: see apptainer.def).
#
#   docker build -t cerebrepro:nest .                              (the default target: nest)
#   docker build --target spinnaker -t cerebrepro:spinnaker .
#   docker run --rm -v cerebrepro-data:/data cerebrepro:nest verify --quick   # self-test
#   docker run --rm -v cerebrepro-data:/data -v "$PWD/results:/work/results" cerebrepro:nest reproduce --figure 4
#
# Install path: both targets lay the checkout out at /opt/cerebrepro and install it like
# `make install` does (an editable install of pyproject.toml into /opt/cerebrepro/.venv), so
# every pin comes from pyproject.toml (the manifest and references are package data).
# They differ only in the extras: nest = brian2; spinnaker = brian2 + spinnaker, plus a
# SpiNNaker configuration file for the user. `make install` itself is not used because it
# also installs the spinnaker and test extras. scripts/check_install_path.sh runs the same
# install command in a fresh virtual environment.
#
# Read-only: the images run with `--read-only --tmpfs /tmp`. They write only to /data (the
# data cache) and to /tmp (numba's and matplotlib's caches), plus whatever a command is
# asked to write under the working directory. `make test-containers`
# (scripts/check_containers.sh) builds the nest image and checks exactly that.
#
# Base image: python 3.11 (requires-python in pyproject.toml) on Debian bookworm, pinned by
# tag and by the digest of its multi-architecture index. The build argument lets a test
# build on a locally made stand-in (scripts/check_containers.sh: Debian bookworm's python3).

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

# The recipe check (python scripts/check_recipes.py) pins the default above; hadolint
# does not look through build arguments.
FROM ${PYTHON_IMAGE} AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYNEST_QUIET=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    NUMBA_CACHE_DIR=/tmp/numba \
    CEREBREPRO_DATA_DIR=/data \
    PATH=/opt/cerebrepro/.venv/bin:$PATH

# g++ and make: Brian2's standalone mode compiles the generated C++ at run time.
# Versions: those of Debian 12 (bookworm), the release the base image is built on.
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++=4:12.2.0-3 make=4.3-4.1 \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user (uid 10001) owns the data cache (a volume) and the working directory.
RUN groupadd --gid 10001 cerebrepro \
    && useradd --create-home --uid 10001 --gid 10001 cerebrepro \
    && install -d -o cerebrepro -g cerebrepro /data /work


FROM base AS build-nest
WORKDIR /opt/cerebrepro
# .dockerignore admits only pyproject.toml, README.md and cerebrepro/.
COPY . .
# The wheel's nest-config names the temporary folders NEST was built in, so it cannot build
# anything; on PATH, it makes PyNN try to build its NEST extensions at every start, in a
# `_build/` folder of the working directory. Without it PyNN warns and runs NEST's own models.
RUN python -m venv .venv \
    && .venv/bin/python -m pip install --no-cache-dir -e ".[brian2]" \
    && rm .venv/bin/nest-config


FROM build-nest AS build-spinnaker
RUN .venv/bin/python -m pip install --no-cache-dir -e ".[brian2,spinnaker]"


FROM base AS spinnaker
COPY --from=build-spinnaker /opt/cerebrepro /opt/cerebrepro
USER 10001:10001
# sPyNNaker reads ~/.spynnaker.cfg. Name a board or a spalloc server here, or bind-mount
# your own file over it: -v "$HOME/.spynnaker.cfg:/home/cerebrepro/.spynnaker.cfg:ro".
RUN printf '%s\n' \
    '[Machine]' \
    '# One of: spalloc_server (with version = 5), or machine_name and version.' \
    'spalloc_server = None' \
    'machine_name = None' \
    'version = None' \
    > /home/cerebrepro/.spynnaker.cfg
WORKDIR /work
VOLUME ["/data"]
ENTRYPOINT ["cerebrepro"]
CMD ["--help"]


FROM base AS nest
COPY --from=build-nest /opt/cerebrepro /opt/cerebrepro
USER 10001:10001
WORKDIR /work
VOLUME ["/data"]
ENTRYPOINT ["cerebrepro"]
CMD ["--help"]


# The last stage is what `docker build .` makes without --target.
FROM nest AS default
