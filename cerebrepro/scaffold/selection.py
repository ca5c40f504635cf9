"""Small building blocks of the connectivity rules: candidate lists to rows, random acceptance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cerebrepro.scaffold.types import Connections

_EMPTY = np.empty(0, dtype=np.int64)

# Bound on the passes of ``accept_in_random_order(..., until_full=True)``.
MAX_PASSES = 1000


def rows_from_lists(partners: Sequence[np.ndarray], cells_are_post: bool) -> Connections:
    """Connections from one partner array per cell: cell i with every entry of ``partners[i]``.

    ``cells_are_post``: the cells receive (partners are the pre side); otherwise they send.
    """
    lengths = np.fromiter((len(p) for p in partners), dtype=np.int64, count=len(partners))
    cells = np.repeat(np.arange(len(partners), dtype=np.int64), lengths)
    other = (
        np.concatenate([np.asarray(p, dtype=np.int64) for p in partners])
        if len(partners)
        else _EMPTY
    )
    return (
        Connections(pre=other, post=cells) if cells_are_post else Connections(pre=cells, post=other)
    )


def accept_in_random_order(
    rng: np.random.Generator,
    candidates: np.ndarray,
    probability: np.ndarray,
    cap: int,
    until_full: bool = False,
) -> np.ndarray:
    """Visit ``candidates`` in random order, accepting each with its ``probability``, until
    ``cap`` are accepted.

    With ``until_full`` the candidates not accepted are visited again (in the same order)
    until ``cap`` are accepted or none with a positive probability is left; otherwise a
    single pass, which may accept fewer than ``cap``.
    """
    order = rng.permutation(candidates.size)
    candidates, probability = candidates[order], probability[order]
    if until_full:
        positive = probability > 0
        candidates, probability = candidates[positive], probability[positive]
    chosen: list[np.ndarray] = []
    n_chosen = 0
    for _ in range(MAX_PASSES if until_full else 1):
        if n_chosen >= cap or candidates.size == 0:
            break
        accepted = rng.random(candidates.size) < probability
        picked = candidates[accepted][: cap - n_chosen]
        chosen.append(picked)
        n_chosen += picked.size
        candidates, probability = candidates[~accepted], probability[~accepted]
    return np.concatenate(chosen).astype(np.int64) if chosen else _EMPTY


def sample_without_replacement(
    rng: np.random.Generator, candidates: np.ndarray, k: int
) -> np.ndarray:
    """``k`` distinct entries of ``candidates`` at random (all of them, shuffled, if fewer)."""
    k = min(k, candidates.size)
    return rng.choice(candidates, size=k, replace=False).astype(np.int64)


def linear_falloff(distance: np.ndarray, reach: float) -> np.ndarray:
    """Acceptance probability 1 - distance / reach, clipped to [0, 1]."""
    return np.clip(1.0 - distance / reach, 0.0, 1.0)
