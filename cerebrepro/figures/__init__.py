"""Figures: the paper's figures drawn from runs and the statistics of ``cerebrepro.analysis``.

- ``figure4``: raster plots and PSTHs of every population around the stimulus
- ``figure5``: per-cell firing-rate distributions per population and period
- ``figure6``: lead/lag of matching spikes; membrane and conductances of a granule cell
- ``figure7``: peak packets per core and step against burst rate and stimulus radius
- ``figure8``: per-core communication load with the default and the grid neuron order
- ``runs``, ``output``, ``style``, ``core_loads``: the runs behind a figure and how captions
  name them, the written files, the shared look, and core loads in both orders

Each figure function returns a ``FigureOutput`` (figure, caption, statistics) and draws
with Matplotlib's Agg canvas; ``output.write_figure`` writes PNG, PDF, YAML and caption.
"""
