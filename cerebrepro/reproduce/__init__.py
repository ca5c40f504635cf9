"""Reproducing the paper's figures: which runs each needs, running or reusing them, writing files.

- ``plans``: the options of ``cerebrepro reproduce`` and the run specs of the reference run
  and of its companions on other simulators
- ``sweep``: the stimulus sweep of figure 7 (reduced by default, the paper's with ``full``)
- ``figure``: obtain the runs (cached by digest), draw a figure and write its files
"""
