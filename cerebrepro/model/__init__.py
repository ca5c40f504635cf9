"""Model: the cerebellum network as data (cells, projections, protocol) and its PyNN instantiation."""
