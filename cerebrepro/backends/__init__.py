"""Simulator backends behind one contract (:mod:`cerebrepro.backends.contract`)."""
