"""SpiNNaker (sPyNNaker 7.4.1) behind the backend contract; importing this imports no sPyNNaker."""

from cerebrepro.backends.spinnaker.backend import SpinnakerBackend, SpinnakerSession
from cerebrepro.backends.spinnaker.options import SpinnakerOptions

BACKEND = SpinnakerBackend()

__all__ = ["BACKEND", "SpinnakerBackend", "SpinnakerOptions", "SpinnakerSession"]
