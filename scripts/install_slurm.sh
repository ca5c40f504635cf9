#!/usr/bin/env bash
# Debian's slurm-wlm and munge, for the one-node SLURM test of `cerebrepro sweep --slurm`
# (tests/test_sweep_slurm.py starts and stops the daemons itself; it skips, saying why, when
# they are absent). Installs only what is missing; needs root for apt-get.
set -euo pipefail
missing=()
command -v slurmctld >/dev/null || missing+=(slurm-wlm)
command -v munged >/dev/null || missing+=(munge)
if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) != 0 ]]; then
    echo "install_slurm: not root; the SLURM test will skip (apt-get install -y ${missing[*]})" >&2
    exit 0
fi
echo "install_slurm: installing from Debian: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
