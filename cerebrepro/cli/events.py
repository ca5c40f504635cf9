"""`cerebrepro events example|convert|figure`, and the --events-* options that `run` shares.

The options are declared once here (``EVENT_FLAGS``) and given by :func:`with_event_flags`
to every command that accepts ``--stimulus events:FILE``; :func:`event_options` turns them
into the spec's :class:`~cerebrepro.model.events.EventOptions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cerebrepro.cli.app import app
from cerebrepro.cli.flag_groups import Flag, with_flags
from cerebrepro.cli.render import events as render
from cerebrepro.cli.render.console import wrote
from cerebrepro.errors import StimulusError
from cerebrepro.model.events import DEFAULT_RATE_CAP, EventOptions

events_app = typer.Typer(
    help="Event-camera recordings as input: a synthetic example, the conversion, the figure of a run.",
    no_args_is_help=True,
)
app.add_typer(events_app, name="events")

EventsFit = Annotated[
    str, typer.Option("--events-fit", help="events: sensor onto the plane, stretch | crop")
]
EventsPolarity = Annotated[str, typer.Option("--events-polarity", help="events: both | on | off")]
EventsStart = Annotated[
    float, typer.Option("--events-start", help="events: window start, ms of recording time")
]
EventsStop = Annotated[
    float | None,
    typer.Option(
        "--events-stop", help="events: window end, ms of recording time (default: last event)"
    ),
]
EventsOffset = Annotated[
    float, typer.Option("--events-offset", help="events: model time (ms) of the window start")
]
EventsSensor = Annotated[
    str | None,
    typer.Option("--events-sensor", help="events: sensor WxH (default: the file's, else max + 1)"),
]
EventsDenoise = Annotated[
    float | None, typer.Option("--events-denoise", help="events: tonic Denoise filter time (us)")
]
EventsRefractory = Annotated[
    float | None,
    typer.Option("--events-refractory", help="events: tonic RefractoryPeriod per pixel (us)"),
]
EventsDownsample = Annotated[
    float | None,
    typer.Option("--events-downsample", help="events: tonic Downsample spatial factor (0-1]"),
]
EventsRateCap = Annotated[
    float, typer.Option("--events-rate-cap", help="events: rate cap per cell (Hz)")
]
EventsCap = Annotated[str, typer.Option("--events-cap", help="events: report | apply the rate cap")]


EVENT_FLAGS = (
    Flag("events_fit", EventsFit, "stretch"),
    Flag("events_polarity", EventsPolarity, "both"),
    Flag("events_start", EventsStart, 0.0),
    Flag("events_stop", EventsStop),
    Flag("events_offset", EventsOffset, 0.0),
    Flag("events_sensor", EventsSensor),
    Flag("events_denoise", EventsDenoise),
    Flag("events_refractory", EventsRefractory),
    Flag("events_downsample", EventsDownsample),
    Flag("events_rate_cap", EventsRateCap, DEFAULT_RATE_CAP),
    Flag("events_cap", EventsCap, "report"),
)


def _event_flags(**given: object) -> dict[str, object]:
    """The --events-* values by the names :func:`event_options` takes."""
    return {name.removeprefix("events_"): value for name, value in given.items()}


# a command with ``event_flags: dict[str, Any]`` gets every --events-* flag, for event_options
with_event_flags = with_flags(EVENT_FLAGS, "event_flags", _event_flags)


def parse_sensor(text: str | None) -> tuple[int, int] | None:
    """``"34x34"`` -> (34, 34)."""
    if text is None:
        return None
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise StimulusError(f"sensor size {text!r} is not WIDTHxHEIGHT (e.g. 34x34)") from exc
    return width, height


def event_options(
    stimulus: str,
    fit: str = "stretch",
    polarity: str = "both",
    start: float = 0.0,
    stop: float | None = None,
    offset: float = 0.0,
    sensor: str | None = None,
    denoise: float | None = None,
    refractory: float | None = None,
    downsample: float | None = None,
    rate_cap: float = DEFAULT_RATE_CAP,
    cap: str = "report",
) -> EventOptions | None:
    """The spec's event options (None unless ``stimulus`` is ``events:FILE``; then the file is checked)."""
    options = EventOptions(
        fit,
        polarity,
        start,
        stop,
        offset,
        parse_sensor(sensor),
        denoise,
        refractory,
        downsample,
        rate_cap,
        cap,
    )
    if not stimulus.startswith("events:"):
        if options != EventOptions():
            raise typer.BadParameter("the --events-* options need --stimulus events:FILE")
        return None
    return options


@events_app.command("example")
def example(
    path: Annotated[Path, typer.Argument(help="the recording to write (.npy or .h5)")],
    sensor: Annotated[str, typer.Option(help="sensor WxH")] = "64x48",
    sweep_ms: Annotated[
        float, typer.Option(help="time of one sweep across the sensor (ms)")
    ] = 100.0,
    sweeps: Annotated[int, typer.Option(help="number of sweeps")] = 1,
    axis: Annotated[str, typer.Option(help="x | y: the direction the bar moves")] = "x",
    per_edge: Annotated[int, typer.Option(help="events per pixel and bar edge")] = 1,
    noise_hz: Annotated[float, typer.Option(help="background events per pixel (Hz)")] = 0.0,
    seed: Annotated[int, typer.Option(help="seed of the jitter and the noise")] = 0,
) -> None:
    """Write a synthetic recording: a bar sweeping across the sensor (ON at its front, OFF behind)."""
    from cerebrepro.data.events import write_recording
    from cerebrepro.model.event_synthetic import moving_bar

    size = parse_sensor(sensor) or (64, 48)
    events = moving_bar(
        size, sweep_ms, axis=axis, sweeps=sweeps, per_edge=per_edge, noise_hz=noise_hz, seed=seed
    )
    write_recording(path, events, size)
    render.print_example(events.size, size, events["t"][-1] / 1000, path)


@events_app.command("convert")
def convert(
    recording: Annotated[
        Path, typer.Argument(help="the recording (.npy, .h5, .aedat4, .dat, .raw)")
    ],
    size: Annotated[
        float,
        typer.Option(help="base size (um) of the rebuilt scaffold whose glomeruli take the events"),
    ] = 400.0,
    timestep: Annotated[float, typer.Option(help="grid (ms)")] = 0.1,
    fit: EventsFit = "stretch",
    polarity: EventsPolarity = "both",
    start: EventsStart = 0.0,
    stop: EventsStop = None,
    offset: EventsOffset = 0.0,
    sensor: EventsSensor = None,
    denoise: EventsDenoise = None,
    refractory: EventsRefractory = None,
    downsample: EventsDownsample = None,
    rate_cap: EventsRateCap = DEFAULT_RATE_CAP,
    cap: EventsCap = "report",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="write the trains as .npz (for --stimulus FILE.npz)"),
    ] = None,
) -> None:
    """Map a recording onto the glomeruli of a rebuilt scaffold and time it: read, then convert."""
    from cerebrepro.pipeline.events import convert_recording

    options = event_options(
        "events:",
        fit,
        polarity,
        start,
        stop,
        offset,
        sensor,
        denoise,
        refractory,
        downsample,
        rate_cap,
        cap,
    )
    assert options is not None
    conversion = convert_recording(recording, size, options, timestep)
    render.print_conversion(recording, size, conversion)
    if output is not None:
        from cerebrepro.data.events import write_trains

        render.print_trains(write_trains(output, conversion.made.trains))


@events_app.command("figure")
def figure(
    result: Annotated[
        Path, typer.Argument(help="the result (.h5) of a run with --stimulus events:FILE")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="directory for the figure files")
    ] = Path("figures"),
) -> None:
    """The event frame and the mapped input beside the input raster and the network's response."""
    from cerebrepro.figures.events import event_run_figure
    from cerebrepro.figures.output import write_figure
    from cerebrepro.results.io import read_result

    drawn = event_run_figure(read_result(result), result)
    files = write_figure(drawn, output, f"events-{result.stem}")
    for path in files.all():
        wrote(path)
