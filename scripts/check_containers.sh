#!/usr/bin/env bash
# Build the Dockerfile's images of this checkout with podman and run them as a user would:
# no network, a read-only image, the data cache in a volume, a non-root user.
#
#   scripts/check_containers.sh [--all] [--selftest-broken]
#
#   --all              also build and check the spinnaker image (the nest image always)
#   --selftest-broken  then show that the check fails on broken variants of the nest image,
#                      each at the step expected (thin layers on the image just built, so
#                      nothing is built twice): an entry point that does not exist (--help);
#                      numba's cache folder unset (verify --quick, read-only); an entry
#                      point that leaves a file in $HOME where it can (writable: writes
#                      outside /data and tmpfs). PyNN's NEST-extension build, which once
#                      wrote ./_build, is now kept from starting by the NEST backend itself.
#
# The check of an image, each command as uid 10001 with --network none and a /data volume:
#   1. `--help`, `info` and `verify --quick` with --read-only (podman mounts tmpfs on /tmp);
#   2. `info` and `verify --quick` again on a writable image with a tmpfs /tmp and a fresh
#      volume: `podman diff` (what the container wrote outside /data and tmpfs) must be empty.
# Needs root (rootful podman; podman, runc, mmdebstrap, containernetworking-plugins and
# iptables are installed from Debian when missing) and access to Debian's and PyPI's
# servers. Everything it makes lives in one temporary folder, removed at the end, on failure
# too; it prints the wall time of each step. See docs/hpc.md.
set -euo pipefail
CHECK_NAME=check_containers
# shellcheck source=scripts/containers_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/containers_lib.sh"

IMAGE=localhost/cerebrepro-check/cerebrepro
RUN_AS=10001:10001
ALL=0
SELFTEST=0
for argument in "$@"; do
    case $argument in
        --all) ALL=1 ;;
        --selftest-broken) SELFTEST=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument $argument (see --help)" ;;
    esac
done

build_target() {
    build --target "$1" --build-arg "PYTHON_IMAGE=$BASE_IMAGE" --tag "$IMAGE:$1" "$ROOT"
}

# expect LABEL PATTERN COMMAND...: COMMAND must exit 0 and print PATTERN (an extended
# regular expression; "!" before it: must not print it). On failure LABEL is written to
# $WORK/failed-step and the end of the output is shown.
expect() {
    local label=$1 pattern=$2 output="$WORK/output.txt" status=0
    shift 2
    "$@" >"$output" 2>&1 || status=$?
    if ((status != 0)); then
        log "FAILED: $label exited with $status; its output ends:"
    elif [[ $pattern == !* ]] && grep -Eq -- "${pattern#!}" "$output"; then
        log "FAILED: $label printed /${pattern#!}/; its output ends:"
        status=1
    elif [[ $pattern != !* ]] && ! grep -Eq -- "$pattern" "$output"; then
        log "FAILED: $label did not print /$pattern/; its output ends:"
        status=1
    fi
    if ((status != 0)); then
        tail -n 25 "$output" | sed 's/^/    /' >&2
        echo "$label" >"$WORK/failed-step"
        return 1
    fi
    log "ok: $label"
}

# no_writes LABEL CONTAINER: the container changed nothing outside its volumes and tmpfs,
# but what podman itself changes in every container ($WORK/engine-changes: e.g. the mount
# point of /etc/hosts when the image has none).
no_writes() {
    local changes
    changes="$(pm diff "$2" | sort | comm -23 - "$WORK/engine-changes")"
    pm rm "$2" >/dev/null
    if [[ -n $changes ]]; then
        log "FAILED: $1 wrote outside /data and tmpfs:"
        printf '%s\n' "$changes" | sed 's/^/    /' >&2
        echo "$1: writes outside /data and tmpfs" >"$WORK/failed-step"
        return 1
    fi
    log "ok: $1 wrote nothing outside /data and tmpfs"
}

# check_image TAG: the checks listed at the top, on image TAG.
check_image() {
    local tag=$1 name="${1##*:}" spinnaker="cerebrepro\\[spinnaker\\]"
    local run=(pm run --network none --user "$RUN_AS")
    local read_only=("${run[@]}" --rm --read-only --volume "$name-ro:/data" "$tag")
    if [[ $name == spinnaker ]]; then spinnaker="!cerebrepro\\[spinnaker\\]"; fi
    expect "--help (read-only)" "Usage: cerebrepro" "${read_only[@]}" --help
    expect "info (read-only)" "data directory: /data" "${read_only[@]}" info
    expect "info names the spinnaker extra only where sPyNNaker is missing" "$spinnaker" \
        "${read_only[@]}" info
    expect "verify --quick (read-only)" "^verification passed" "${read_only[@]}" verify --quick
    local writable=("${run[@]}" --tmpfs /tmp --volume "$name-rw:/data")
    "${writable[@]}" --name "$name-engine" --entrypoint /bin/true "$tag"
    pm diff "$name-engine" | sort >"$WORK/engine-changes"
    pm rm "$name-engine" >/dev/null
    expect "info (writable)" "data directory: /data" \
        "${writable[@]}" --name "$name-info" "$tag" info
    no_writes "info (writable)" "$name-info"
    expect "verify --quick (writable)" "^verification passed" \
        "${writable[@]}" --name "$name-verify" "$tag" verify --quick
    no_writes "verify --quick (writable)" "$name-verify"
}

# broken_variant NAME INSTRUCTION...: a thin layer on the nest image, one line each.
broken_variant() {
    local context="$WORK/broken-$1"
    mkdir -p "$context"
    printf '%s\n' "FROM $IMAGE:nest" "${@:2}" >"$context/Containerfile"
    build --tag "$IMAGE:broken-$1" "$context"
}

# check_must_fail NAME EXPECTED-STEP: check_image fails on the broken variant NAME, at the
# step EXPECTED-STEP. Run in a subshell so that its failure does not end this script.
check_must_fail() {
    local status=0 failed
    rm -f "$WORK/failed-step"
    set +e
    (
        set -e
        CHECK_NAME="check_containers: $1, expected to fail"
        check_image "$IMAGE:broken-$1"
    )
    status=$?
    set -e
    failed="$(cat "$WORK/failed-step" 2>/dev/null || true)"
    if ((status == 0)); then
        die "self-test: the check passed on the broken variant $1"
    elif [[ $failed != "$2" ]]; then
        die "self-test: the check failed on $1 at '${failed:-?}', expected at '$2'"
    fi
    log "self-test ok: the check fails on $1, at '$failed'"
}

broken_variants() {
    broken_variant entrypoint 'ENTRYPOINT ["cerebrepro-missing"]'
    broken_variant numba 'ENV NUMBA_CACHE_DIR=""'
    mkdir -p "$WORK/broken-stray-write"
    cat >"$WORK/broken-stray-write/cerebrepro-leaky" <<'LEAKY'
#!/bin/sh
touch "$HOME/stray" 2>/dev/null
exec cerebrepro "$@"
LEAKY
    chmod 755 "$WORK/broken-stray-write/cerebrepro-leaky"
    broken_variant stray-write "COPY cerebrepro-leaky /usr/local/bin/cerebrepro-leaky" \
        'ENTRYPOINT ["cerebrepro-leaky"]'
}

setup_work
step "install podman and friends (if missing)" install_host_packages
step "base image (mmdebstrap bookworm, python3)" make_base
step "build nest" build_target nest
if [[ $ALL == 1 ]]; then
    step "build spinnaker" build_target spinnaker
fi
step "smoke test nest" check_image "$IMAGE:nest"
if [[ $ALL == 1 ]]; then
    step "smoke test spinnaker" check_image "$IMAGE:spinnaker"
fi
if [[ $SELFTEST == 1 ]]; then
    step "self-test: make the broken variants" broken_variants
    step "self-test: check fails (entry point missing)" check_must_fail entrypoint \
        "--help (read-only)"
    step "self-test: check fails (NUMBA_CACHE_DIR unset)" check_must_fail numba \
        "verify --quick (read-only)"
    step "self-test: check fails (a file left in \$HOME)" check_must_fail stray-write \
        "info (writable): writes outside /data and tmpfs"
fi
