#!/usr/bin/env bash
# Run apptainer.def's %post as Apptainer would, in a podman container on the same Debian
# bookworm + Python 3.11 base as scripts/check_containers.sh (Apptainer is not packaged for
# Debian 12), with %files copied in first.
#
#   scripts/check_apptainer_post.sh [--full]
#
#   (default)  %post up to NEST's cmake configure, which must succeed and find MPI, OpenMP,
#              GSL, Boost and Python; mpi4py must import. Stops before `cmake --build`.
#   --full     all of %post (NEST's build and install: about 50 minutes on 2 shared
#              cores), then %test with %environment (cerebrepro info, verify --quick, and
#              2 MPI ranks giving the same spikes as 1).
#
# Needs root and access to Debian's and PyPI's servers; removes everything it made, also
# on failure, and prints the wall time of each step. See docs/hpc.md.
set -euo pipefail
CHECK_NAME=check_apptainer_post
# shellcheck source=scripts/containers_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/containers_lib.sh"

DEFINITION="$ROOT/apptainer.def"
IMAGE=localhost/cerebrepro-check/apptainer
FULL=0
for argument in "$@"; do
    case $argument in
        --full) FULL=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument $argument (see --help)" ;;
    esac
done

# section NAME: the body of %NAME in the definition (up to the next %section).
section() {
    awk -v name="%$1" '
        /^%[a-z]+/ { inside = ($1 == name); next }
        inside { print }
    ' "$DEFINITION"
}

# files_image: the base with %files copied in ("source destination" lines, relative to the
# checkout), as Apptainer does before %post.
files_image() {
    local context="$WORK/apptainer" source destination rest
    mkdir -p "$context"
    echo "FROM $BASE_IMAGE" >"$context/Containerfile"
    while read -r source destination rest; do
        [[ -z $source || $source == \#* ]] && continue
        [[ -n $destination && -z $rest ]] \
            || die "apptainer.def %files: cannot read '$source $destination $rest'"
        echo "COPY $source $destination" >>"$context/Containerfile"
    done < <(section files)
    build --tag "$IMAGE:files" --file "$context/Containerfile" "$ROOT"
}

# post_script: %post, whole (--full) or up to the line that starts NEST's build, then
# whether mpi4py imports (it is built against the image's OpenMPI).
post_script() {
    local script="$WORK/apptainer/post.sh"
    if [[ $FULL == 1 ]]; then
        section post >"$script"
    else
        section post | awk '/^[[:space:]]*cmake --build/ { found = 1; exit } { print }
            END { exit !found }' >"$script" || die "apptainer.def %post has no 'cmake --build'"
        cat >>"$script" <<'EOF'
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "$VENV/bin/python" -c \
    "from mpi4py import MPI; print('mpi4py:', MPI.Get_library_version().splitlines()[0])"
EOF
    fi
}

# run_post: %post in a container (sh, as Apptainer runs it); with --full, committed as
# $IMAGE:post for %test.
run_post() {
    local log_file="$WORK/post.log"
    post_script
    if ! pm run --name post --network=host --volume "$WORK/apptainer:/cerebrepro-check:ro" \
        "$IMAGE:files" /bin/sh /cerebrepro-check/post.sh >"$log_file" 2>&1; then
        tail -n 40 "$log_file" >&2
        die "apptainer.def %post failed"
    fi
    if [[ $FULL == 1 ]]; then
        pm commit --quiet post "$IMAGE:post" >/dev/null
    fi
    pm rm post >/dev/null
}

# configured: NEST's cmake summary (cmake/ConfigureSummary.cmake) says yes to every
# feature the MPI image needs, and mpi4py (built against the image's OpenMPI) imports.
# grep -a: cmake's output holds terminal escapes, which make grep call the log binary.
configured() {
    local log_file="$WORK/post.log" feature
    for feature in "Use MPI +: Yes" "Use threading +: Yes \(OpenMP" "Use GSL +: Yes" \
        "Use Boost +: Yes" "Python bindings +: Yes" "MPI4Py +: Yes"; do
        if ! grep -aEq "^ *$feature" "$log_file"; then
            grep -aE "^ *(Use |Python bindings|MPI4Py)" "$log_file" >&2 \
                || tail -n 40 "$log_file" >&2
            die "NEST's cmake configure does not report /$feature/"
        fi
    done
    grep -aq "^mpi4py: Open MPI" "$log_file" || die "mpi4py does not import with Open MPI"
    grep -aE "^ *(Use (MPI|threading|GSL|Boost)|Python bindings|MPI4Py) |^mpi4py:" "$log_file" \
        | sed 's/^ */    /' >&2
}

# run_test: %test with %environment, in the image %post made.
run_test() {
    section environment >"$WORK/apptainer/environment.sh"
    section test >"$WORK/apptainer/test.sh"
    pm run --rm --network=none --volume "$WORK/apptainer:/cerebrepro-check:ro" "$IMAGE:post" \
        /bin/sh -c '. /cerebrepro-check/environment.sh && /bin/sh /cerebrepro-check/test.sh'
}

setup_work
step "install podman and friends (if missing)" install_host_packages
step "base image (mmdebstrap bookworm, python3)" make_base
step "apptainer %files" files_image
if [[ $FULL == 1 ]]; then
    step "apptainer %post (all of it)" run_post
    step "apptainer %test" run_test
else
    step "apptainer %post up to NEST's cmake configure" run_post
    step "NEST configured with MPI, OpenMP, GSL, Boost; mpi4py imports" configured
fi
