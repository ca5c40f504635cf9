"""One run of an experiment: a spec, its scaffold and stimulus resolved, a backend, a result file."""
