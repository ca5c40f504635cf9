"""Experiments besides the cerebellum: small networks every simulator runs quickly (the E-I balanced network)."""
