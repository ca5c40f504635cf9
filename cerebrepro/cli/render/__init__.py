"""Rich rendering for the command line: the only place that prints tables, bars and markup.

- ``console``: the shared consoles, ``safe_text`` (how every value enters markup), the error line
- ``runs``: a run's progress and summary, a mapping report, backend facts, an imported archive
- ``analysis``: the tables of ``cerebrepro analyse`` and ``cerebrepro compare``
- ``verification``: the tables and verdict of ``cerebrepro verify``, a regenerated reference
- ``ei_balanced``, ``events``, ``scaffold``, ``data``, ``info``, ``bench``, ``reproduce``: one per command topic

Every value put into markup, table cells included, passes through ``safe_text``: file names,
run labels and provenance values can hold ``[...]``, which Rich would otherwise read as a
style, and control characters, which a terminal would obey.
"""
