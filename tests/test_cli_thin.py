"""The thin command line: values print literally, Rich stays in cli/render, defaults come from the library.

A file named ``run[/].h5`` (a directory ``run[`` holding ``].h5``) puts Rich's closing tag
into every line that names it; before every value went through ``safe_text`` such a name
raised ``MarkupError`` or vanished from the output.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
import yaml
from typer.testing import CliRunner

from cerebrepro.analysis.synthetic import synthetic_run, synthetic_scaffold
from cerebrepro.cli import commands  # noqa: F401  (registers the commands)
from cerebrepro.cli.app import app
from cerebrepro.cli.render.console import print_error, safe_text
from cerebrepro.errors import ResultError
from cerebrepro.results.io import write_result
from cerebrepro.results.provenance import available_cores
from cerebrepro.results.types import PopulationSpikes, RunResult
from cerebrepro.verify import ei_balanced
from cerebrepro.verify.tolerances import MARGIN

CLI = Path(__file__).parents[1] / "cerebrepro" / "cli"
HOSTILE_LABEL = "lab[/]el\x1b[2J\x07[bold]x"  # a closing tag, a terminal command, a bell, a style
SHOWN_LABEL = "lab[/]el[2J[bold]x"  # what the terminal must show: the text, no control character


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory) -> Path:
    """A small synthetic run written as ``run[/].h5`` whose label holds markup and control characters."""
    rng = np.random.default_rng(13)
    run = synthetic_run(rng, synthetic_scaffold(rng, scale=0.005), duration=600.0)
    run.provenance.update(label=HOSTILE_LABEL, simulator="nest")
    path = tmp_path_factory.mktemp("hostile") / "run[" / "].h5"
    path.parent.mkdir()
    return write_result(run, path)


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_safe_text_escapes_markup_and_drops_control_characters():
    assert safe_text("run[/].h5") == "run\\[/].h5"
    assert safe_text("a\x00b\tc\rd\x1be\x7ff\x85g\x9fh\ni") == "abcdefgh\ni"  # newline kept
    assert safe_text(3.5) == "3.5"


def test_the_error_line_prints_a_name_with_a_closing_tag(capsys):
    print_error(ResultError("run[/].h5: not an HDF5 results file"))
    assert capsys.readouterr().err == "error: run[/].h5: not an HDF5 results file\n"


def test_a_broken_result_named_with_markup_exits_2_naming_it(tmp_path, monkeypatch, capsys):
    from cerebrepro.cli import main

    path = tmp_path / "run[" / "].h5"
    path.parent.mkdir()
    path.write_bytes(b"not hdf5")
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setattr(sys, "argv", ["cerebrepro", "analyse", str(path)])
    with pytest.raises(SystemExit) as stopped:
        main.app()
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert f"error: {path}: not an HDF5 results file" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_analyse_prints_a_hostile_label_literally(hostile_result):
    out = invoke("analyse", hostile_result)
    assert out.exit_code == 0, out.output
    assert f"Activity of {SHOWN_LABEL}" in out.output
    assert "\x1b" not in out.output and "\x07" not in out.output


def test_analyse_and_export_name_files_with_markup_as_written(hostile_result, tmp_path):
    stats = tmp_path / "stats[/].yaml"
    out = invoke("analyse", hostile_result, "-o", stats)
    assert out.exit_code == 0, out.output
    assert f"wrote {stats}" in out.output and stats.is_file()
    nix = tmp_path / "x[/]" / "run[bold].nix"
    nix.parent.mkdir(parents=True)
    out = invoke("export", hostile_result, "-o", nix)
    assert out.exit_code == 0, out.output
    assert f"wrote {nix}" in out.output and nix.is_file()


@pytest.mark.filterwarnings("ignore:.*no connections for")  # a tiny synthetic scaffold
def test_scaffold_inspect_prints_attributes_from_the_file_literally(tmp_path):
    from cerebrepro.scaffold.write import write_scaffold

    scaffold = synthetic_scaffold(np.random.default_rng(3), scale=0.005)
    scaffold.attrs = {"note": "made[/]by\x1b]0;title\x07 hand"}
    path = write_scaffold(scaffold, tmp_path / "scaffold[/]" / "s[red].hdf5")
    out = invoke("scaffold", "inspect", path)
    assert out.exit_code == 0, out.output
    assert "note: made[/]by]0;title hand" in out.output
    assert "mean [min, max]" in " ".join(
        out.output.split()
    )  # the caption, no longer read as a style
    assert "\x1b" not in out.output and "\x07" not in out.output


def test_run_summary_and_progress_print_values_literally(capsys):
    from cerebrepro.cli.render.runs import run_progress, run_summary

    spikes = {"gran[/]ule": PopulationSpikes(4, np.array([1.0, 2.0]), np.array([0, 3]))}
    result = RunResult(spikes, 0.1, 1000.0)
    result.provenance = {
        "simulator": "sim[/]",
        "timings": {"build_s": 1.0, "simulate_s": 2.0},
        "peak_memory_bytes": 2**30,
        "spike_digest": "ab[/]\x1bcdef",
    }
    with run_progress(1000.0, "run [/] 1") as events:
        events.phase("build on [/]")
        events.model_time(500.0, 1000.0)
    run_summary(result, Path("out[/]") / "run[/].h5")
    text = " ".join(capsys.readouterr().out.split())
    assert "sim[/] run, 1000 ms" in text and "│ gran[/]ule │ 4 │ 2 │ 0.50 │" in text
    assert "spike digest ab[/]cdef result out[/]/run[/].h5" in text


def _rich_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    return [name for name in names if name == "rich" or name.startswith("rich.")]


def test_rich_is_used_only_in_the_render_package():
    commands_with_rich = {p.name: _rich_imports(p) for p in CLI.glob("*.py") if _rich_imports(p)}
    assert commands_with_rich == {}
    assert _rich_imports(CLI / "render" / "runs.py")  # the check sees an import where there is one


def test_no_simulator_is_named_in_the_command_line_modules():
    named = []
    for path in [*CLI.glob("*.py"), *CLI.glob("render/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in ("nest", "brian2", "spinnaker"):
                named.append(f"{path.name}:{node.lineno} {node.value}")
    assert named == []


def _default(path: list[str], name: str) -> object:
    command = typer.main.get_command(app)
    for word in path:
        command = command.commands[word]  # type: ignore[attr-defined]
    (param,) = [p for p in command.params if p.name == name]
    return param.default


def test_defaults_come_from_the_library():
    from cerebrepro.backends.registry import DEFAULT_BACKEND

    assert _default(["run"], "threads") is None  # the experiment's own (below)
    assert _default(["ei-balanced", "run"], "threads") == 1
    assert _default(["reproduce"], "threads") == 1  # figures reuse cached runs of one thread
    assert _default(["run"], "simulator") == DEFAULT_BACKEND
    assert _default(["ei-balanced", "run"], "simulator") == DEFAULT_BACKEND
    assert _default(["reproduce"], "simulator") == DEFAULT_BACKEND
    assert _default(["ei-balanced", "reference"], "margin") == MARGIN


def test_threads_default_to_the_cores_where_they_do_not_change_the_spikes(monkeypatch, tmp_path):
    from cerebrepro.cli import run as run_command
    from cerebrepro.model.cerebellum import CELL_TYPES
    from cerebrepro.model.ei_balanced import describe_ei_balanced
    from cerebrepro.pipeline.execute import default_threads

    # NEST draws Poisson input from one random stream per thread; spike arrays draw nothing
    ei_groups = describe_ei_balanced(1, 0.1).groups
    assert any(g.model == "SpikeSourcePoisson" for g in ei_groups)
    assert all(cell.model != "SpikeSourcePoisson" for cell in CELL_TYPES)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == cores
    assert (default_threads("cerebellum"), default_threads("ei-balanced")) == (cores, 1)

    specs = []
    monkeypatch.setattr(run_command, "execute", lambda spec, output, figure: specs.append(spec))
    for args in (
        ["run"],
        ["run", "--experiment", "ei-balanced"],
        ["ei-balanced", "run"],
        ["run", "--threads", "3"],
    ):
        out = invoke(*args, "-o", tmp_path)
        assert out.exit_code == 0, out.output
    assert [(s.experiment, s.threads) for s in specs] == [
        ("cerebellum", cores),
        ("ei-balanced", 1),
        ("ei-balanced", 1),
        ("cerebellum", 3),
    ]


def test_the_ei_check_uses_the_reference_of_the_runs_own_simulator(tmp_path, monkeypatch):
    stored = {
        "simulator": "other",
        "runs": {"1000": {"statistics": {"exc.rate": {"value": 5.0, "tolerance": 0.5}}}},
    }
    reference = tmp_path / "ei.yaml"
    reference.write_text(yaml.safe_dump(stored))
    monkeypatch.setattr(ei_balanced, "ei_statistics", lambda result: {"exc.rate": 5.75})

    def run(simulator: str, stimulus: object = None) -> RunResult:
        result = RunResult({}, 0.1, 1000.0)
        result.provenance = {"simulator": simulator, "stimulus": stimulus}
        return result

    checked = ei_balanced.check_run(run("other"), reference)
    assert list(checked.checks) == ["exc.rate"] and not checked.passed
    assert (
        checked.checks["exc.rate"].reference == 5.0 and checked.checks["exc.rate"].tolerance == 0.5
    )
    assert (
        ei_balanced.check_run(run("nest"), reference).checks == {}
    )  # another simulator's reference
    events = ei_balanced.check_run(run("other", {"kind": "events"}), reference)
    assert events.driven_by_events and events.checks == {}
    missing = ei_balanced.check_run(run("other"), tmp_path / "none.yaml")
    assert missing.checks == {} and "no E-I reference at" in str(missing.unavailable)


SCHEDULER_FLAGS = ("--workers", "--scheduler", "--slurm", "--pbs", "--queue", "--walltime",
                   "--memory", "--image", "--account")  # fmt: skip


@pytest.mark.parametrize("command", [["sweep"], ["reproduce"], ["verify", "power"]])
def test_every_command_of_many_runs_takes_the_same_scheduler_flags(command, tmp_path):
    runner = CliRunner()
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert all(flag in shown.output for flag in SCHEDULER_FLAGS)
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text("grid: {f_peak: [50]}\n")
    arguments = {"sweep": [str(sweep_file), "-o", str(tmp_path)], "reproduce": ["--figure", "7"]}
    refused = runner.invoke(app, [*command, *arguments.get(command[0], []), "--slurm", "--pbs"])
    assert refused.exit_code != 0
    assert "--slurm and --pbs exclude each other" in str(refused.exception)


def test_a_flag_group_reaches_the_command_as_one_built_argument():
    from typing import Annotated

    from cerebrepro.cli.flag_groups import Flag, with_flags

    group = (
        Flag("width", Annotated[int, typer.Option("--width")], 3),
        Flag("tall", Annotated[bool, typer.Option("--tall")], False),
    )
    seen = []

    def command(name: str, shape: tuple = ()) -> None:
        seen.append((name, shape))

    toy = typer.Typer()
    toy.command()(with_flags(group, "shape", lambda width, tall: (width, tall))(command))
    result = CliRunner().invoke(toy, ["box", "--width", "5"])
    assert result.exit_code == 0, result.output
    assert seen == [("box", (5, False))]
