"""Benchmarks and studies: runs of the library measured, compared and reported.

- ``pipeline_bench``: build, simulate, collect and write times over network size and model
  time (``cerebrepro bench pipeline``), on ``pipeline_bench_network``, written in the
  formats of ``pipeline_bench_formats``, saved by ``pipeline_bench_output``
- ``cerebellum_bench``: the cerebellum run's phases against raw NEST wiring per scaffold
  size and thread count (``cerebrepro bench cerebellum``), saved by ``cerebellum_bench_output``
- ``fit``, ``timing``, ``records``, ``plots``: cost models, phase timers, CSV/JSON with
  provenance, measured-against-fitted figures
- ``brian2_accuracy``, ``brian2_vs_nest``, ``analysis_400``: Brian2's integration methods
  against NEST, Brian2 against NEST in time and memory, ``analyse_run`` at full size
  (each ``python -m cerebrepro.studies.<name> --help``)
"""
