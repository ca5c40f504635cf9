"""cerebrepro: reproduce the cerebellum scaffold experiment on NEST, SpiNNaker and Brian2."""

__version__ = "0.1.0"
