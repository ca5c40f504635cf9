"""Brian2 (C++ standalone) behind the backend contract; importing this imports no brian2.

``BACKEND`` is the instance the registry lists; ``Brian2Options`` its settings
(``--method``). See :mod:`cerebrepro.backends.brian2.backend`.
"""

from cerebrepro.backends.brian2.backend import Brian2Backend, Brian2Options, Brian2Session

BACKEND = Brian2Backend()

__all__ = ["BACKEND", "Brian2Backend", "Brian2Options", "Brian2Session"]
