"""A drawn figure with its caption and statistics, and the four files it is written to."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from cerebrepro.analysis.serialize import write_stats
from cerebrepro.figures.style import DPI

CAPTION_WIDTH = 92  # characters per line of the caption file


@dataclass
class FigureOutput:
    """Everything one figure produces: the drawing, its caption and its statistics."""

    number: int
    figure: Figure
    caption: str
    statistics: dict


@dataclass(frozen=True)
class FigureFiles:
    png: Path
    pdf: Path
    statistics: Path
    caption: Path

    def all(self) -> tuple[Path, ...]:
        return (self.png, self.pdf, self.statistics, self.caption)


def caption_text(number: int, title: str, *paragraphs: str) -> str:
    """``Figure N. Title.`` and the paragraphs, each wrapped to ``CAPTION_WIDTH`` characters."""
    head = f"Figure {number}. {title.rstrip('.')}."
    blocks = [head, *(p.strip() for p in paragraphs if p and p.strip())]
    return (
        "\n\n".join(textwrap.fill(b, CAPTION_WIDTH, break_on_hyphens=False) for b in blocks) + "\n"
    )


def write_figure(output: FigureOutput, directory: Path, stem: str | None = None) -> FigureFiles:
    """Write ``<stem>.png``, ``.pdf``, ``.yaml`` (statistics) and ``.txt`` (caption) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = stem or f"figure{output.number}"
    files = FigureFiles(
        directory / f"{stem}.png",
        directory / f"{stem}.pdf",
        directory / f"{stem}.yaml",
        directory / f"{stem}.txt",
    )
    output.figure.savefig(files.png, dpi=DPI)
    output.figure.set_layout_engine("none")  # keep the layout just computed: no second pass
    output.figure.savefig(files.pdf)
    write_stats(
        {"figure": output.number, "caption": output.caption, **output.statistics}, files.statistics
    )
    files.caption.write_text(output.caption, encoding="utf-8")
    return files
