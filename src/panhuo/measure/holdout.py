"""Randomised holdout (control group), stratified, seeded and reproducible. Pure Python + numpy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Assignment:
    member_id: str
    stratum: tuple
    is_control: bool


def assign_holdout(
    members: Sequence[tuple[str, tuple[Hashable, ...]]], *, control_share: float = 0.10, seed: int,
) -> list[Assignment]:
    """Split members into treatment and control within each stratum (e.g. advisor × tier).

    Within a stratum of n members, floor(n × share) go to control, plus one more with probability equal to
    the remainder, so every stratum is split in proportion and the expected share is exact. The result depends
    only on the members, their strata and the seed (members are sorted first), so it can be recorded and
    recomputed for audit.
    """
    if not 0 < control_share < 1:
        raise ValueError("control_share must be between 0 and 1")
    rng = np.random.default_rng(seed)
    by_stratum: dict[tuple, list[str]] = defaultdict(list)
    for member_id, stratum in members:
        by_stratum[tuple(stratum)].append(str(member_id))
    out: list[Assignment] = []
    for stratum in sorted(by_stratum, key=repr):
        ids = sorted(by_stratum[stratum])
        exact = len(ids) * control_share
        n_control = int(exact) + int(rng.random() < exact - int(exact))
        control = set(rng.permutation(len(ids))[:n_control].tolist())
        out += [Assignment(mid, stratum, i in control) for i, mid in enumerate(ids)]
    return out
