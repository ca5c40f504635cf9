"""NEST behind the backend contract (:mod:`cerebrepro.backends.contract`).

Importing this package does not import NEST: the simulator starts in ``prepare`` or ``facts``.
"""

from cerebrepro.backends.nest.backend import NestBackend, NestOptions, NestSession

BACKEND = NestBackend()

__all__ = ["BACKEND", "NestBackend", "NestOptions", "NestSession"]
