#!/usr/bin/env bash
# Check the install path of the container images in a fresh virtual environment.
#
# Copies what the Dockerfile copies (.dockerignore admits pyproject.toml, README.md and
# cerebrepro/) into a temporary checkout, runs the Dockerfile's install command
# there (build-nest stage; build-spinnaker with EXTRAS=brian2,spinnaker), then runs
# `cerebrepro --help`. Packages come from the configured package index, as in the image.
#
# Usage: scripts/check_install_path.sh [EXTRAS]     (default: brian2, the nest target)
#        PYTHON=python3.11 scripts/check_install_path.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
extras="${1:-brian2}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

checkout="$work/cerebrepro"
mkdir "$checkout"
cp "$repo/pyproject.toml" "$checkout/"
if [[ -f "$repo/README.md" ]]; then cp "$repo/README.md" "$checkout/"; fi
cp -R "$repo/cerebrepro" "$checkout/"
find "$checkout" -name __pycache__ -type d -prune -exec rm -rf {} +
cd "$checkout"

echo "install path: $("$python" --version) in a fresh venv, extras [$extras]"
# The Dockerfile's install command, word for word but for the extras:
"$python" -m venv .venv \
    && .venv/bin/python -m pip install --no-cache-dir -e ".[${extras}]"
installed=$SECONDS

.venv/bin/cerebrepro --help > /dev/null
echo "install path OK: install $((installed - start)) s, cerebrepro --help $((SECONDS - installed)) s"
