"""Run-cache keys follow the stimulus generator: changed trains are never served from cache."""

import dataclasses

from cerebrepro.model.cerebellum import REFERENCE_PROTOCOL
from cerebrepro.pipeline import cache
from cerebrepro.pipeline.spec import RunSpec


def test_a_new_periodic_generator_gives_new_keys_and_poisson_keys_stay(monkeypatch):
    poisson = RunSpec()
    periodic = dataclasses.replace(
        poisson, protocol=dataclasses.replace(REFERENCE_PROTOCOL, kind="periodic")
    )
    before = cache.run_key(poisson), cache.run_key(periodic)
    monkeypatch.setattr(cache, "GENERATOR_REVISIONS", {"poisson": 1, "periodic": 3})
    after = cache.run_key(poisson), cache.run_key(periodic)
    assert before[0] == after[0]
    assert before[1] != after[1]
