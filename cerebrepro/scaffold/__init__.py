"""Scaffold: the cell positions and connection lists (read the published HDF5, rebuild it offline)."""
