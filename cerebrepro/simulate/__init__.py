"""Simulate: one module per backend (NEST, SpiNNaker, Brian2) with the same shape, and the results format."""
