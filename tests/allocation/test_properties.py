"""Properties of the engine: same input same output, no order or id bias, an honest bound."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import polars as pl
import pytest

from panhuo.allocation import Advisor, Client, InfeasibleAllocation, Settings, allocate
from panhuo.allocation.synthetic import synthetic_branch

AS_OF = date(2026, 10, 30)
SHARE = Settings(as_of=AS_OF, over_capacity="share")


@pytest.fixture(scope="module")
def branch():
    return synthetic_branch(3000, 14, seed=5, min_load=None, max_load=None, departed=1, departed_clients=40)


@pytest.fixture(scope="module")
def first(branch):
    return allocate(*branch, SHARE)


def stats(result) -> list[tuple]:
    return sorted(result.advisors.select("level", "clients", pl.col("assets").round(2), "dormant", "vip").rows())


def test_the_same_input_gives_the_same_allocation(branch, first):
    again = allocate(*branch, SHARE)
    assert again.assignments.equals(first.assignments)
    assert again.objective == first.objective and again.bound == first.bound


def test_the_result_meets_every_rule(branch, first):
    clients, advisors = branch
    assert first.band_met and first.capacity_met
    level = dict(zip(advisors["advisor_id"], advisors["level"], strict=True))
    active = dict(zip(advisors["advisor_id"], advisors["active"], strict=True))
    rows = first.assignments
    assert all(active[a] for a in rows["advisor_id"])
    assert all(level[a] != "junior" for a in rows.filter(pl.col("tier") == "vip")["advisor_id"])
    assert rows["advisor_id"].null_count() == 0 and rows.height == clients.height
    assert 0 <= first.bound <= first.objective
    assert first.gap == pytest.approx((first.objective - first.bound) / first.bound)


def test_advisor_order_and_ids_do_not_matter(branch, first):
    clients, advisors = branch
    rng = np.random.default_rng(3)
    ids = advisors["advisor_id"].to_list()
    renamed = dict(zip(ids, [f"Z{n:03d}" for n in rng.permutation(len(ids))], strict=True))
    advisors2 = advisors.with_columns(pl.col("advisor_id").replace_strict(renamed))[rng.permutation(len(ids))]
    clients2 = clients.with_columns(pl.col("advisor_id").replace_strict(renamed, default=None))
    second = allocate(clients2, advisors2, SHARE)
    assert stats(second) == stats(first)
    assert second.objective == first.objective
    assert (second.assignments["advisor_id"].to_list()
            == [renamed[a] for a in first.assignments["advisor_id"].to_list()])


def test_identical_advisors_get_books_of_the_same_make_up():
    clients = [Client(f"C{i:03d}", 10_000 * (1 + i % 7), is_dormant=i % 3 == 0) for i in range(60)]
    advisors = [Advisor(f"A{i}", "junior", 30) for i in range(4)]
    one = allocate(clients, advisors, Settings(as_of=AS_OF))
    two = allocate(clients, [Advisor(f"B{i}", "junior", 30) for i in (3, 1, 0, 2)], Settings(as_of=AS_OF))
    assert stats(one) == stats(two)
    assert all(abs(n - 15) <= 1.5 for n in one.advisors["clients"].to_list())


def test_client_order_does_not_matter(branch, first):
    clients, advisors = branch
    shuffled = clients[np.random.default_rng(4).permutation(clients.height)]
    second = allocate(shuffled, advisors, SHARE)
    assert dict(second.assignments.select("client_id", "advisor_id").iter_rows()) == dict(
        first.assignments.select("client_id", "advisor_id").iter_rows())


def _brute_force(clients, advisors, settings):
    """Cheapest allocation meeting every rule, by trying them all (tiny branches only)."""
    act = [a for a in advisors if a.active]
    best = None
    for combo in itertools.product(range(len(act)), repeat=len(clients)):
        if any(c.tier == "vip" and act[j].level == "junior" for c, j in zip(clients, combo, strict=True)):
            continue
        held = {m: np.zeros(len(act)) for m in ("clients", "assets", "dormant")}
        for c, j in zip(clients, combo, strict=True):
            held["clients"][j] += 1
            held["assets"][j] += c.assets
            held["dormant"][j] += c.is_dormant
        if (held["clients"] > [a.capacity for a in act]).any():
            continue
        ok = True
        for lv in {a.level for a in act}:
            idx = [k for k, a in enumerate(act) if a.level == lv]
            cap = np.array([act[k].capacity for k in idx], dtype=float)
            for m in settings.balance:
                x = held[m][idx]
                target = x.sum() * cap / cap.sum()
                slack = 0.0 if m == "assets" else 1.0
                hi = np.maximum((1 + settings.band) * target, target + slack) + 1e-9
                lo = np.minimum((1 - settings.band) * target, target - slack) - 1e-9
                ok &= bool(((x <= hi) & (x >= lo)).all())
        if not ok:
            continue
        cost = 0.0
        for c, j in zip(clients, combo, strict=True):
            new = act[j]
            cost += settings.region_cost * (c.region != new.region)
            if c.advisor_id is not None and any(a.advisor_id == c.advisor_id and a.active for a in advisors):
                old = next(a for a in advisors if a.advisor_id == c.advisor_id)
                cost -= settings.region_cost * (c.region != old.region)
                cost += settings.move_cost * (new.advisor_id != old.advisor_id)
        best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_bound_lies_below_the_best_allocation_and_objective_above_it(seed):
    rng = np.random.default_rng(seed)
    regions = ["海淀区", "朝阳区"]
    advisors = [Advisor("J1", "junior", 4, regions[0]), Advisor("J2", "junior", 3, regions[1]),
                Advisor("S1", "senior", 4, regions[int(rng.integers(2))]),
                Advisor("S2", "senior", 3, regions[0], active=bool(rng.random() < 0.7))]
    ids = [None, "J1", "J2", "S1", "S2"]
    clients = [Client(f"C{i}", float(rng.lognormal(11, 1)), tier="vip" if rng.random() < 0.3 else "mass",
                      is_dormant=bool(rng.random() < 0.4), advisor_id=ids[int(rng.integers(len(ids)))],
                      region=regions[int(rng.integers(2))]) for i in range(7)]
    settings = Settings(as_of=AS_OF, band=0.6)
    best = _brute_force(clients, advisors, settings)
    try:
        result = allocate(clients, advisors, settings)
    except InfeasibleAllocation:
        assert best is None
        return
    assert best is not None
    assert result.bound <= best + 1e-6
    assert result.objective >= best - 1e-6
