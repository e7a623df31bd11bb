"""A synthetic branch shaped like the demo's (issue #17): for the benchmark, the tests and trying settings out.

Clients carry the analytics' words (tier vip/core/mass by assets, trading style, risk level C1-C5) and the
simulator's regions and advisor specialties. The current book is as untidy as the demo's: a share of clients
with no advisor, departed advisors still holding clients, loads far from capacity, a few VIPs with juniors.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

# the simulator's vocabulary (panhuo.simulate.people), repeated because importing the simulator takes 1.5 s
REGIONS = ["海淀区", "朝阳区", "西城区", "东城区", "丰台区", "昌平区", "石景山区", "通州区", "大兴区", "顺义区", "外地"]
REGION_WEIGHTS = np.array([22, 18, 9, 7, 10, 9, 4, 6, 6, 4, 5], dtype=float)
SPECIALTIES = ["价值投资", "成长股", "量化交易", "基金配置", "两融业务", "新股申购", "期权", "债券理财", "行业研究"]
STYLES = (["high_frequency", "short_term", "medium_term", "long_term", "unknown"], [0.05, 0.2, 0.3, 0.35, 0.1])
RISKS = (["C1", "C2", "C3", "C4", "C5"], [0.05, 0.15, 0.4, 0.29, 0.11])
PREFERENCES = (["stock", "fund", "bond", "margin", "option", "ipo", ""], [0.45, 0.2, 0.08, 0.08, 0.03, 0.06, 0.1])


def _loads(rng, total: int, n: int, min_load: int | None, max_load: int | None) -> np.ndarray:
    """Current loads of the active advisors summing to total; one at min_load and one at max_load when given."""
    w = rng.uniform(0.7, 1.0, n)
    fixed = {}
    if min_load is not None and max_load is not None and n >= 3 and min_load + max_load <= total:
        fixed = {0: min_load, 1: max_load}
    rest = [i for i in range(n) if i not in fixed]
    share = (total - sum(fixed.values())) * w[rest] / w[rest].sum()
    if max_load is not None and fixed:
        share = np.clip(share, min_load, max_load)
    loads = np.zeros(n, dtype=np.int64)
    for i, v in fixed.items():
        loads[i] = v
    loads[rest] = np.floor(share).astype(np.int64)
    gap = total - int(loads.sum())
    order = np.array(rest)[np.argsort(share - np.floor(share))[::-1]]
    k = 0
    while gap != 0:                        # hand out (or take back) the rounding, one client at a time
        i = order[k % len(order)]
        step = 1 if gap > 0 else -1
        bounded = fixed and max_load is not None and k < 10 * len(order) * (abs(gap) + 1)
        if not bounded or min_load <= loads[i] + step <= max_load:
            loads[i] += step
            gap -= step
        k += 1
    return loads


def synthetic_branch(clients: int = 100_000, advisors: int = 50, *, seed: int = 0, unassigned_share: float = 0.12,
                     departed: int = 2, departed_clients: int = 520, min_load: int | None = 83,
                     max_load: int | None = 2177, new_hires: int = 3, vip_with_seniors: float = 0.92,
                     as_of: date = date(2026, 10, 30), branch_id: str = "B001") -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clients, advisors) of one branch; the same arguments always give the same frames."""
    rng = np.random.default_rng([seed, 17])
    n, m = clients, advisors
    n_j, n_s = int(round(0.5 * m)), int(round(0.38 * m))
    level = np.array(["junior"] * n_j + ["senior"] * n_s + ["principal"] * (m - n_j - n_s), dtype=object)
    rng.shuffle(level)
    cap = np.where(level == "principal", rng.choice([1300, 1400, 1500], m),
                   np.where(level == "senior", rng.choice(np.arange(900, 1201, 50), m),
                            rng.choice(np.arange(600, 801, 50), m)))
    region = np.array(REGIONS[:10], dtype=object)[rng.choice(10, m, p=REGION_WEIGHTS[:10] / REGION_WEIGHTS[:10].sum())]
    specs = [sorted(rng.choice(SPECIALTIES, int(rng.integers(1, 4)), replace=False).tolist()) for _ in range(m)]
    tenure = rng.integers(200, 4000, m)
    active = np.ones(m, dtype=bool)
    out = rng.choice(np.flatnonzero(level != "principal"), departed, replace=False) if departed else np.array([], int)
    active[out] = False
    act_idx = np.flatnonzero(active)
    hires = rng.choice(act_idx, min(new_hires, len(act_idx)), replace=False)
    for k, i in enumerate(hires):
        tenure[i] = 30 + 60 * k                   # 30, 90, 150 days: still ramping up
        level[i] = "junior" if level[i] == "principal" else level[i]
    hire = [as_of - timedelta(days=int(d)) for d in tenure]
    ads = pl.DataFrame({"advisor_id": [f"A{i + 1:04d}" for i in range(m)], "level": level.tolist(),
                        "capacity": cap.tolist(), "region": region.tolist(), "specialties": specs,
                        "hire_date": hire, "active": active.tolist(), "branch_id": [branch_id] * m},
                       schema_overrides={"hire_date": pl.Date})

    assets = np.round(rng.lognormal(np.log(80_000), 1.5, n), 2)
    assets[rng.random(n) < 0.04] = 0.0
    order = np.argsort(-assets, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    holders = int((assets > 0).sum())
    tier = np.where(assets <= 0, "none", np.where(rank < 0.2 * holders, "vip",
                                                  np.where(rank < 0.5 * holders, "core", "mass"))).astype(object)
    dormant = rng.random(n) < np.select([tier == "vip", tier == "core"], [0.18, 0.3], 0.45)
    c_region = np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), n, p=REGION_WEIGHTS / REGION_WEIGHTS.sum())]
    style = rng.choice(STYLES[0], n, p=STYLES[1]).astype(object)
    risk = rng.choice(RISKS[0], n, p=RISKS[1]).astype(object)
    pref = rng.choice(PREFERENCES[0], n, p=PREFERENCES[1]).astype(object)
    pref[pref == ""] = None

    # the current book: some unassigned, some with departed advisors, the rest by quota, VIPs mostly with seniors
    advisor = np.full(n, None, dtype=object)
    perm = rng.permutation(n)
    n_un = int(round(unassigned_share * n))
    n_dep = min(departed_clients, n - n_un) if departed else 0
    dep_clients = perm[n_un:n_un + n_dep]
    if n_dep:
        advisor[dep_clients] = np.array([f"A{i + 1:04d}" for i in out], dtype=object)[
            np.arange(n_dep) % len(out)]
    rest = perm[n_un + n_dep:]
    loads = _loads(rng, len(rest), len(act_idx), min_load, max_load)
    # the smallest load goes to the newest hire, the largest to a senior
    by_tenure = np.argsort(tenure[act_idx], kind="stable")
    act_order = list(act_idx[by_tenure])
    top = next((i for i in act_order if level[i] == "senior"), act_order[-1])
    act_order.remove(top)
    act_order.insert(1, top)
    seats = np.repeat(np.array(act_order), loads)
    friendly = np.isin(level[seats], ["senior", "principal"])
    vf, other = rng.permutation(seats[friendly]), rng.permutation(seats[~friendly])
    vip_rest = rest[tier[rest] == "vip"]
    k = min(len(vf), int(round(vip_with_seniors * len(vip_rest))))
    take_o = min(len(other), len(vip_rest) - k)
    k = len(vip_rest) - take_o
    given = np.concatenate([vf[:k], other[:take_o]])
    left = rng.permutation(np.concatenate([vf[k:], other[take_o:]]))
    non_vip = rest[tier[rest] != "vip"]
    ids = np.array([f"A{i + 1:04d}" for i in range(m)], dtype=object)
    advisor[vip_rest] = ids[given]
    advisor[non_vip] = ids[left]
    cls = pl.DataFrame({"client_id": [f"C{i + 1:07d}" for i in range(n)], "assets": assets, "tier": tier.tolist(),
                        "is_dormant": dormant, "advisor_id": advisor.tolist(), "region": c_region.tolist(),
                        "style": style.tolist(), "risk_level": risk.tolist(), "preference": pref.tolist(),
                        "branch_id": [branch_id] * n},
                       schema_overrides={"advisor_id": pl.String, "preference": pl.String})
    return cls, ads
