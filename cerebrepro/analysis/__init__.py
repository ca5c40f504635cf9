"""Analysis: statistics as pure functions of spike arrays.

- ``windows``: baseline / stimulus / post windows shifted by each population's input delay
- ``rates``, ``response``, ``summary``: window rates, excited / inhibited cells, distributions
- ``steps``, ``peaks``: spikes on the time grid, peak spikes per step, PSTHs
- ``connectivity``, ``arrivals``, ``incoming``: worst-case incoming spikes per cell and step
- ``packet_load``: estimated SpiNNaker packets per core and step (routing by source core,
  delay-extension stages); ``presynaptic_load``: distinct pre-synaptic neurons per core
- ``isi``, ``correlation``, ``lead_lag``, ``compare``: comparing two runs; ``original_view``:
  the original study's view of a comparison (excited cells, stimulus window, no dcn)
- ``run``: ``analyse_run``, every statistic of one run as a plain dict
- ``serialize``, ``comparison_figure``: statistics files and the comparison figure
- ``synthetic``: synthetic networks and runs of realistic size for tests and benchmarks
"""
