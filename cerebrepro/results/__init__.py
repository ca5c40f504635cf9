"""Results: the in-memory run result, its HDF5 file format and exports (neo/NIX)."""
