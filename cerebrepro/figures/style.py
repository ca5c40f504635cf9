"""The look shared by every figure: population order and colours, simulator colours, shading.

Populations are shown input first (glomerulus), then in the model's order. Each
population keeps its colour in every figure; each simulator keeps its colour and line
style wherever runs are overlaid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cerebrepro.model.cerebellum import POPULATIONS

DISPLAY_ORDER: tuple[str, ...] = ("glomerulus",) + tuple(
    p for p in POPULATIONS if p != "glomerulus"
)

POPULATION_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "glomerulus": "#7f7f7f",
        "golgi": "#1f77b4",
        "granule": "#d62728",
        "purkinje": "#2ca02c",
        "basket": "#9467bd",
        "stellate": "#8c564b",
        "dcn": "#e377c2",
    }
)

SIMULATORS: tuple[str, ...] = ("nest", "spinnaker", "brian2")
SIMULATOR_NAMES: Mapping[str, str] = MappingProxyType(
    {"nest": "NEST", "spinnaker": "SpiNNaker", "brian2": "Brian2"}
)
SIMULATOR_COLOURS: Mapping[str, str] = MappingProxyType(
    {"nest": "#222222", "spinnaker": "#ff7f0e", "brian2": "#17becf"}
)
SIMULATOR_LINES: Mapping[str, str] = MappingProxyType(
    {"nest": "-", "spinnaker": "--", "brian2": ":"}
)

STIMULUS_SHADE = {"color": "#f2c94c", "alpha": 0.35, "linewidth": 0, "zorder": 0}
DPI = 150
FONT_SIZE = 8.5


def display_order(names: Iterable[str]) -> list[str]:
    """``names`` in display order (input first), unknown names last in their given order."""
    names = list(names)
    return [p for p in DISPLAY_ORDER if p in names] + [p for p in names if p not in DISPLAY_ORDER]


def population_colour(name: str) -> str:
    return POPULATION_COLOURS.get(name, "#555555")


def simulator_name(simulator: str) -> str:
    """The display name of a simulator (``nest`` -> ``NEST``); unknown names as given."""
    return SIMULATOR_NAMES.get(simulator, simulator)


def simulator_colour(simulator: str) -> str:
    return SIMULATOR_COLOURS.get(simulator, "#555555")


def simulator_line(simulator: str) -> str:
    return SIMULATOR_LINES.get(simulator, "-.")


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches drawn by Agg, with constrained layout."""
    figure = Figure(figsize=(width, height), layout="constrained", dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def shade_stimulus(ax: Axes, start: float, stop: float) -> None:
    """Shade the stimulus window [start, stop) ms behind the data of ``ax``."""
    ax.axvspan(start, stop, **STIMULUS_SHADE)


def tidy_axes(ax: Axes) -> None:
    """Small tick labels and no top or right spine."""
    ax.tick_params(labelsize=FONT_SIZE - 1)
    ax.spines[["top", "right"]].set_visible(False)


def panel_letter(ax: Axes, letter: str) -> None:
    """A bold panel letter in the top left corner outside ``ax``."""
    ax.text(
        -0.08,
        1.04,
        letter,
        transform=ax.transAxes,
        fontsize=FONT_SIZE + 3,
        fontweight="bold",
        va="bottom",
        ha="right",
    )


def plain_log_scale(ax: Axes) -> None:
    """A log y axis labelled 1, 2, 5, 10, 20, ... in plain numbers."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
