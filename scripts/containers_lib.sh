# shellcheck shell=bash
# Shared by scripts/check_containers.sh and scripts/check_apptainer_post.sh (sourced, not run).
#
# Rootful podman from Debian in a private store: every image, container and volume a check
# makes lives under one temporary folder, so removing that folder removes all of it and
# nothing else on the machine is touched. No image registry is needed: the base image is
# made from Debian's packages with mmdebstrap (see make_base).
#
# Settings (environment):
#   CEREBREPRO_BASE_TAR      a Debian rootfs tarball to reuse (made there and kept when
#                            missing); default: made in the temporary folder and removed
#   CEREBREPRO_DEBIAN_MIRROR default http://deb.debian.org
#   TMPDIR                   where the temporary folder goes (images need a few GB)

# shellcheck disable=SC2034  # ROOT: the checkout, for the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${CEREBREPRO_DEBIAN_MIRROR:-http://deb.debian.org}"
HOST_PACKAGES=(podman runc mmdebstrap containernetworking-plugins iptables)
# The stand-in for python:3.11-slim-bookworm: Debian 12's Python 3.11 with venv and headers
# (the python image has both; apptainer.def compiles mpi4py against the headers).
BASE_PACKAGES=(python3 python3-venv python3-dev python-is-python3 ca-certificates)
BASE_IMAGE=localhost/cerebrepro-check/base:bookworm

WORK=""
STEP_NAMES=()
STEP_SECONDS=()
CURRENT_STEP=""
CURRENT_START=""
CHECK_START="$EPOCHREALTIME"

log() { printf '[%s] %s\n' "${CHECK_NAME:-check}" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# step NAME COMMAND...: run COMMAND and record its wall time. A failure ends the script
# (errexit); the EXIT trap then reports the step that failed and how long it ran.
step() {
    CURRENT_STEP="$1"
    CURRENT_START="$EPOCHREALTIME"
    shift
    log "step: $CURRENT_STEP"
    "$@"
    STEP_NAMES+=("$CURRENT_STEP")
    STEP_SECONDS+=("$(elapsed "$CURRENT_START")")
    log "done: $CURRENT_STEP (${STEP_SECONDS[-1]} s)"
    CURRENT_STEP=""
}

print_timings() {
    local i
    log "timings (wall clock, seconds):"
    for i in "${!STEP_NAMES[@]}"; do
        printf '[%s]   %8s  %s\n' "${CHECK_NAME:-check}" "${STEP_SECONDS[$i]}" \
            "${STEP_NAMES[$i]}" >&2
    done
    if [[ -n $CURRENT_STEP ]]; then
        printf '[%s]   %8s  %s (FAILED)\n' "${CHECK_NAME:-check}" "$(elapsed "$CURRENT_START")" \
            "$CURRENT_STEP" >&2
    fi
    printf '[%s]   %8s  total\n' "${CHECK_NAME:-check}" "$(elapsed "$CHECK_START")" >&2
}

# podman on the private store, with the settings this kind of machine needs.
pm() {
    CONTAINERS_CONF="$WORK/containers.conf" TMPDIR="$WORK/tmp" podman \
        --root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/libpod" "$@"
}

# Remove everything the check made: containers, volumes and images (all in the private
# store), then the store and the temporary folder. Runs on every exit, success or not.
cleanup() {
    local status=$? mount
    set +e
    trap - EXIT INT TERM
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ -f $WORK/containers.conf ]] && command -v podman >/dev/null; then
            pm rm --all --force --time 0 >/dev/null 2>&1
            pm volume rm --all --force >/dev/null 2>&1
            pm rmi --all --force >/dev/null 2>&1
        fi
        # Anything podman left mounted under the store (deepest first), then the folder.
        findmnt --raw --noheadings --output TARGET | grep -F "$WORK/" | sort -r \
            | while read -r mount; do umount --lazy "$mount"; done
        rm -rf "$WORK"
        [[ -e $WORK ]] && log "warning: could not remove $WORK" && status=1
    fi
    print_timings
    if ((status == 0)); then log "passed"; else log "FAILED (exit $status)"; fi
    exit "$status"
}

# install_host_packages: podman and friends from Debian, when missing (needs root).
install_host_packages() {
    local missing=() package
    for package in "${HOST_PACKAGES[@]}"; do
        dpkg-query --show --showformat='${Status}' "$package" 2>/dev/null \
            | grep -q "install ok installed" || missing+=("$package")
    done
    if ((${#missing[@]})); then
        log "installing from Debian: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

# setup_work: the temporary folder, the containers.conf and the private store; installs the
# cleanup trap first, so that a failure at any later point still removes everything.
setup_work() {
    [[ $(id -u) == 0 ]] || die "run as root: rootful podman and apt-get need it"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/cerebrepro-containers.XXXXXX")"
    mkdir -p "$WORK/storage" "$WORK/run" "$WORK/libpod" "$WORK/tmp"
    # The sandbox refuses podman's default of 1048576 open files; crun 1.8 refuses this
    # kernel's hybrid cgroups, runc works. Temporary files stay in $WORK too.
    cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
events_logger = "none"
image_copy_tmp_dir = "$WORK/tmp"
EOF
}

# host_trust DIR: the host's extra CA certificates and pip configuration, laid out under
# DIR as they sit on the host, so that pip inside a build reaches the package index the
# way it does here (through the same TLS-inspecting proxy, if any).
host_trust() {
    local dir=$1 path
    mkdir -p "$dir/usr/local/share/ca-certificates"
    for path in /usr/local/share/ca-certificates /etc/pip.conf /etc/xdg/pip; do
        if [[ -e $path ]]; then
            mkdir -p "$dir$(dirname "$path")"
            cp -a "$path" "$dir$(dirname "$path")/"
        fi
    done
}

# pip_env: NAME=VALUE lines for the PIP_* settings that make sense inside an image
# (an index, a proxy, a timeout; not host paths such as find-links).
pip_env() {
    local name
    for name in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_DEFAULT_TIMEOUT \
        PIP_RETRIES PIP_PROXY; do
        [[ -n ${!name:-} ]] && printf '%s=%s\n' "$name" "${!name}"
    done
    return 0
}

# make_base: Debian bookworm (mmdebstrap, minbase) imported into podman, plus Python 3.11,
# the host's CA certificates and pip configuration. Tagged $BASE_IMAGE.
make_base() {
    local tar="${CEREBREPRO_BASE_TAR:-$WORK/rootfs.tar}" context="$WORK/base-context" line value
    if [[ ! -s $tar ]]; then
        mmdebstrap --quiet --variant=minbase --format=tar "$DEBIAN_SUITE" "$tar.part" \
            "deb $DEBIAN_MIRROR/debian $DEBIAN_SUITE main" \
            "deb $DEBIAN_MIRROR/debian $DEBIAN_SUITE-updates main" \
            "deb $DEBIAN_MIRROR/debian-security $DEBIAN_SUITE-security main"
        mv "$tar.part" "$tar"
    fi
    pm import --quiet "$tar" localhost/cerebrepro-check/debian:bookworm >/dev/null
    [[ $tar == "$WORK/rootfs.tar" ]] && rm -f "$tar"
    mkdir -p "$context"
    host_trust "$context/trust"
    {
        echo "FROM localhost/cerebrepro-check/debian:bookworm"
        echo "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8"
        echo "COPY trust/ /"
        echo "RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \\"
        echo "    --no-install-recommends ${BASE_PACKAGES[*]} >/dev/null \\"
        echo "    && update-ca-certificates && rm -rf /var/lib/apt/lists/*"
        # pip's own certificate bundle lacks the host's extra CAs; the system bundle has them.
        echo "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt"
        while IFS= read -r line; do
            value="${line#*=}"
            value="${value//\\/\\\\}"
            printf 'ENV %s="%s"\n' "${line%%=*}" "${value//\"/\\\"}"
        done < <(pip_env)
    } >"$context/Containerfile"
    build --tag "$BASE_IMAGE" --file "$context/Containerfile" "$context"
}

# build ARGS...: podman build on the host's network (no bridge, no firewall rules to undo);
# its output goes to a log, whose end is shown when the build fails.
build() {
    local log_file="$WORK/build.log"
    if ! pm build --network=host --pull=never "$@" >"$log_file" 2>&1; then
        tail -n 40 "$log_file" >&2
        return 1
    fi
}
