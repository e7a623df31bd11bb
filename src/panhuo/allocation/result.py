"""What an allocation returns: every client's advisor with the reasons, each advisor's book before and after.

Reasons are codes with figures (rendered in Chinese or English by the pages and the CLI, never shown raw):

why the client changed advisor       unassigned, unknown_advisor, advisor_departed (ref: the advisor),
                                     vip_rule (ref: the old advisor's level), over_capacity (value: old
                                     advisor's clients, limit: its capacity), band_clients / band_assets /
                                     band_dormant (value: the old book's deviation from its level's mean per
                                     unit of capacity, limit: the band), rebalance (moved to even out another
                                     book)
why this advisor                     vip_senior (ref: level), same_region (ref: region), style_fit /
                                     risk_fit / preference_fit (ref: the specialty that serves it), room
                                     (value: the new advisor's clients after, limit: capacity)
no change                            kept
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from panhuo.allocation.inputs import ELSEWHERE, UNMATCHED, Problem
from panhuo.allocation.repair import Violation, band_limits
from panhuo.allocation.settings import Settings

REASON = pl.Struct({"code": pl.String, "value": pl.Float64, "limit": pl.Float64, "ref": pl.String})
MEASURES = ("clients", "assets", "dormant")


@dataclass
class Allocation:
    assignments: pl.DataFrame       # one row per client, in input order
    advisors: pl.DataFrame          # one row per advisor, by id
    objective: float                # cost of the changes (bound.py)
    bound: float                    # a lower bound on the best possible objective
    gap: float                      # (objective - bound) / max(|bound|, 1)
    moved: int                      # existing relationships moved to another advisor
    placed: int                     # clients with no (or a departed or unknown) advisor given one
    band: dict                      # level -> measure -> largest |deviation| from the level mean, after
    band_before: dict
    band_met: bool
    capacity_met: bool              # no active advisor holds more than capacity (stretched when shared)
    stretch: float                  # > 1 when capacities were stretched to share an overload
    settings: Settings
    timings: dict = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {"objective": self.objective, "bound": self.bound, "gap": self.gap, "moved": self.moved,
                "placed": self.placed, "band": self.band, "band_before": self.band_before,
                "band_met": self.band_met, "capacity_met": self.capacity_met, "stretch": self.stretch, "seconds": self.seconds}

    def to_dict(self, *, all_clients: bool = False) -> dict:
        """The preview's JSON shape; assignments of clients whose advisor changes unless all_clients."""
        rows = self.assignments if all_clients else self.assignments.filter(pl.col("moved"))
        return {**self.summary(), "advisors": self.advisors.to_dicts(), "assignments": rows.to_dicts()}


def _deviation(p: Problem, held: dict, act: np.ndarray) -> tuple[dict, dict]:
    """Per advisor and measure, (X / capacity) / (level's X / level's capacity) - 1; and the largest per level."""
    dev = {m: np.full(p.n_advisors, np.nan) for m in MEASURES}
    worst = {}
    for lv in sorted({int(x) for x in p.level_index[act]}):
        members = act[p.level_index[act] == lv]
        k = p.effective[members]
        worst[p.levels[lv]] = {}
        for m in MEASURES:
            x = held[m][members]
            mean = x.sum() / k.sum() if k.sum() > 0 else 0.0
            d = np.where(k > 0, x / np.where(k > 0, k, 1) / mean - 1, 0.0) if mean > 0 else np.zeros(len(members))
            dev[m][members] = d
            worst[p.levels[lv]][m] = float(np.abs(d).max()) if len(d) else 0.0
    return dev, worst


def _inside(p: Problem, held: dict, act: np.ndarray, measure: str, settings: Settings) -> np.ndarray:
    """Per advisor: inside the band on this measure (inactive advisors count as inside)."""
    ok = np.ones(p.n_advisors, dtype=bool)
    for lv in {int(x) for x in p.level_index[act]}:
        members = act[p.level_index[act] == lv]
        lo, hi = band_limits(p, held[measure][members], members, measure, settings.band)
        tol = 1e-9 * max(1.0, float(np.abs(hi).max()))
        ok[members] = (held[measure][members] <= hi + tol) & (held[measure][members] >= lo - tol)
    return ok


def _within_band(p: Problem, held: dict, act: np.ndarray, settings: Settings) -> bool:
    return all(_inside(p, held, act, m, settings).all() for m in settings.balance)


def build_allocation(p: Problem, advisor: np.ndarray, settings: Settings, *, objective: float, bound: float,
                     violations: list[Violation], timings: dict) -> Allocation:
    n, n_adv = p.n_clients, p.n_advisors
    act = np.flatnonzero(p.active)
    x = {"clients": np.ones(n), "assets": p.assets, "dormant": p.dormant.astype(float)}
    before_origin = np.where(p.origin >= 0, p.origin, n_adv)          # n_adv: nobody
    before = {m: np.bincount(before_origin, weights=v, minlength=n_adv + 1)[:n_adv] for m, v in x.items()}
    after = {m: np.bincount(advisor, weights=v, minlength=n_adv) for m, v in x.items()}
    dev_before, band_before = _deviation(p, before, act)
    dev_after, band_after = _deviation(p, after, act)

    changed = advisor != p.origin
    has_active = p.origin >= 0
    has_active[has_active] = p.active[p.origin[has_active]]
    moved = changed & has_active
    placed = changed & ~has_active
    reasons = _reasons(p, advisor, settings, changed, has_active, before, after, dev_before, act)

    order = np.argsort(p.client_order, kind="stable")                 # back to input order
    assignments = pl.DataFrame({
        "client_id": p.client_id[order].tolist(),
        "advisor_id": p.advisor_id[advisor[order]].tolist(),
        "from": p.given_advisor[order].tolist(),
        "moved": changed[order],
        "tier": p.tier[order].tolist(),
        "assets": p.assets[order],
        "is_dormant": p.dormant[order],
    }, schema_overrides={"from": pl.String, "tier": pl.String}).with_columns(
        reasons.gather(order).alias("reasons"))
    gained = np.bincount(advisor[changed], minlength=n_adv)
    lost = np.bincount(p.origin[changed & (p.origin >= 0)], minlength=n_adv)
    advisors = pl.DataFrame({
        "advisor_id": p.advisor_id.tolist(), "level": p.level.tolist(), "region": p.region,
        "active": p.active, "capacity": p.capacity, "effective_capacity": np.round(p.effective, 2),
        "limit": p.limit, "clients_before": before["clients"].astype(np.int64),
        "clients": after["clients"].astype(np.int64), "assets_before": before["assets"], "assets": after["assets"],
        "dormant_before": before["dormant"].astype(np.int64), "dormant": after["dormant"].astype(np.int64),
        "vip": np.bincount(advisor, weights=p.vip.astype(float), minlength=n_adv).astype(np.int64),
        "load": np.where(p.effective > 0, after["clients"] / np.where(p.effective > 0, p.effective, 1), np.nan),
        "gained": gained, "lost": lost,
        **{f"dev_{m}": dev_after[m] for m in MEASURES},
    }, schema_overrides={"region": pl.String}, strict=False).with_columns(
        pl.col("load", *[f"dev_{m}" for m in MEASURES]).fill_nan(None)).sort("advisor_id")
    band_met = not violations and _within_band(p, after, act, settings)
    return Allocation(assignments=assignments, advisors=advisors, objective=objective, bound=bound,
                      gap=(objective - bound) / max(abs(bound), 1.0), moved=int(moved.sum()),
                      placed=int(placed.sum()), band=band_after, band_before=band_before, band_met=band_met,
                      capacity_met=bool((after["clients"][act] <= p.limit[act]).all()),
                      stretch=float(p.stretch), settings=settings, timings=timings)


def _reasons(p: Problem, advisor, settings, changed, has_active, before, after, dev_before, act) -> pl.Series:
    """Per canonical client, the list of reasons (see the module docstring)."""
    rows_i, rows_code, rows_value, rows_limit, rows_ref = [], [], [], [], []

    def add(idx, code, value=None, limit=None, ref=None):
        idx = np.asarray(idx, dtype=np.int64)
        if not len(idx):
            return
        rows_i.append(idx)
        rows_code.append(np.full(len(idx), code, dtype=object))
        size = (len(idx),)
        rows_value.append(np.broadcast_to(np.nan if value is None else np.asarray(value, dtype=float), size))
        rows_limit.append(np.broadcast_to(np.nan if limit is None else np.asarray(limit, dtype=float), size))
        rows_ref.append(np.broadcast_to(np.asarray(ref, dtype=object), size))

    o = p.origin
    add(np.flatnonzero(~changed), "kept")
    none = changed & (o < 0)
    add(np.flatnonzero(none & ~p.unknown_advisor), "unassigned")
    unknown = np.flatnonzero(none & p.unknown_advisor)
    add(unknown, "unknown_advisor", ref=p.given_advisor[unknown])
    departed = np.flatnonzero(changed & (o >= 0) & ~has_active)
    add(departed, "advisor_departed", ref=p.advisor_id[o[departed]])
    mv = changed & has_active
    vip_rule = mv & p.vip & ~p.eligible[1][np.maximum(o, 0)]
    i = np.flatnonzero(vip_rule)
    add(i, "vip_rule", ref=p.level[o[i]])
    rest = mv & ~vip_rule
    explained = np.zeros(p.n_clients, dtype=bool)
    over = before["clients"] > p.limit
    i = np.flatnonzero(rest & over[np.maximum(o, 0)])
    add(i, "over_capacity", value=before["clients"][o[i]], limit=p.limit[o[i]])
    explained[i] = True
    for m in settings.balance:
        out = ~_inside(p, before, act, m, settings)
        i = np.flatnonzero(rest & out[np.maximum(o, 0)])
        add(i, f"band_{m}", value=dev_before[m][o[i]], limit=settings.band)
        explained[i] = True
    add(np.flatnonzero(rest & ~explained), "rebalance")

    # why this advisor
    ch = np.flatnonzero(changed)
    b = advisor[ch]
    i = ch[p.vip[ch]]
    add(i, "vip_senior", ref=p.level[advisor[i]])
    pairs = np.unique(p.fit_key[ch] * p.n_advisors + b)
    fits = {}
    for key in pairs.tolist():
        f, a = divmod(key, p.n_advisors)
        region, *needs = p.fit_keys[f]
        got = [region not in ("", ELSEWHERE) and region == p.region[a]]
        for need in needs:
            hit = sorted(set(need) & p.specialties[a]) if need and need != (UNMATCHED,) else []
            got.append(hit[0] if hit else None)
        fits[key] = got
    pair = p.fit_key[ch] * p.n_advisors + b
    table = [fits[k] for k in pair.tolist()]
    same = np.array([t[0] for t in table], dtype=bool) if table else np.zeros(0, dtype=bool)
    add(ch[same], "same_region", ref=np.array([p.region[x] for x in b[same]], dtype=object))
    for j, code in enumerate(("style_fit", "risk_fit", "preference_fit"), start=1):
        refs = np.array([t[j] for t in table], dtype=object)
        hit = np.array([r is not None for r in refs], dtype=bool)
        add(ch[hit], code, ref=refs[hit])
    add(ch, "room", value=after["clients"][b], limit=p.limit[b])

    long = pl.DataFrame({
        "i": np.concatenate(rows_i) if rows_i else np.zeros(0, dtype=np.int64),
        "code": np.concatenate(rows_code).tolist() if rows_code else [],
        "value": np.concatenate(rows_value) if rows_value else np.zeros(0),
        "limit": np.concatenate(rows_limit) if rows_limit else np.zeros(0),
        "ref": np.concatenate(rows_ref).tolist() if rows_ref else [],
    }, schema_overrides={"code": pl.String, "ref": pl.String}).with_columns(
        pl.col("value", "limit").fill_nan(None)).with_row_index("_k")
    grouped = (long.sort(["i", "_k"]).group_by("i", maintain_order=True)
               .agg(pl.struct("code", "value", "limit", "ref").alias("reasons")))
    full = pl.DataFrame({"i": np.arange(p.n_clients, dtype=np.int64)}).join(grouped, on="i", how="left")
    return full["reasons"].cast(pl.List(REASON))
