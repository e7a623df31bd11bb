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


def assign_clusters(
    members: Sequence[tuple[str, Hashable]], *, control_share: float = 0.10, seed: int,
) -> list[Assignment]:
    """Cluster randomisation: whole clusters (an advisor's book) go to treatment or control, never split.

    Clusters are sorted, then floor(K × share) of the K clusters go to control, plus one more with probability
    equal to the remainder (the same rule as `assign_holdout`, one level up). A member with no cluster (None or
    "") is a cluster of its own. The stratum recorded for each member is its cluster.
    """
    if not 0 < control_share < 1:
        raise ValueError("control_share must be between 0 and 1")
    rng = np.random.default_rng([seed, 11])
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for member_id, cluster in members:
        key = f"c:{cluster}" if cluster not in (None, "", "-") else f"m:{member_id}"
        by_cluster[key].append(str(member_id))
    keys = sorted(by_cluster)
    exact = len(keys) * control_share
    n_control = int(exact) + int(rng.random() < exact - int(exact))
    control = {keys[i] for i in rng.permutation(len(keys))[:n_control].tolist()}
    return [Assignment(mid, (key,), key in control) for key in keys for mid in sorted(by_cluster[key])]
