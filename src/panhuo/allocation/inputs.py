"""Inputs: clients and advisors as dataclasses or tables, read into one canonical, id-blind problem.

The problem lists advisors in an order fixed by what they are (level, region, capacity, specialties, hire date,
the make-up of their current book), never by their id or the order they were given in, and clients by their
attributes; so advisors identical but for their order or id get books of the same make-up (no creation-order or
seniority bias), and the same input always gives the same output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from panhuo.allocation.settings import Settings

LEVELS = ("junior", "senior", "principal")
ELSEWHERE = "\x00elsewhere"     # a client region no advisor works in
UNMATCHED = "\x00unmatched"     # a need no advisor's specialty meets


@dataclass(frozen=True)
class Client:
    client_id: str
    assets: float
    tier: str = "mass"                  # 'vip' / 'core' / 'mass' (analytics/segments.toml)
    is_dormant: bool = False
    advisor_id: str | None = None       # the current advisor, None when unassigned
    region: str | None = None
    style: str | None = None            # trading style: high_frequency, short_term, medium_term, long_term
    risk_level: str | None = None       # C1..C5
    preference: str | None = None       # stock, fund, bond, margin, option, ipo, quant
    branch_id: str | None = None


@dataclass(frozen=True)
class Advisor:
    advisor_id: str
    level: str = "junior"               # junior / senior / principal
    capacity: int = 1000                # clients served at full ramp
    region: str | None = None
    specialties: tuple[str, ...] = ()
    hire_date: date | None = None
    active: bool = True
    branch_id: str | None = None


CLIENT_SCHEMA = {"client_id": pl.String, "assets": pl.Float64, "tier": pl.String, "is_dormant": pl.Boolean,
                 "advisor_id": pl.String, "region": pl.String, "style": pl.String, "risk_level": pl.String,
                 "preference": pl.String, "branch_id": pl.String}
ADVISOR_SCHEMA = {"advisor_id": pl.String, "level": pl.String, "capacity": pl.Int64, "region": pl.String,
                  "specialties": pl.List(pl.String), "hire_date": pl.Date, "active": pl.Boolean,
                  "branch_id": pl.String}
CLIENT_DEFAULTS = {"tier": "mass", "is_dormant": False}
ADVISOR_DEFAULTS = {"level": "junior", "active": True}


def _frame(data, schema: dict, defaults: dict, required: tuple[str, ...], what: str) -> pl.DataFrame:
    if isinstance(data, pa.Table):
        data = pl.from_arrow(data)
    elif not isinstance(data, pl.DataFrame):
        rows = [asdict(x) for x in data]
        data = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    missing = [c for c in required if c not in data.columns]
    if missing:
        raise ValueError(f"{what} lack the columns {missing}")
    if "specialties" in data.columns and data.schema["specialties"] == pl.String:
        # the back office writes them as one text: "价值投资,基金配置" or with 、 or ；
        data = data.with_columns(pl.col("specialties").str.replace_all("[、，；;]", ",").str.split(",")
                                 .list.eval(pl.element().str.strip_chars()).list.eval(
                                     pl.element().filter(pl.element() != "")))
    cols = []
    for name, dtype in schema.items():
        if name in data.columns:
            col = pl.col(name).cast(dtype)
            cols.append(col.fill_null(defaults[name]) if name in defaults else col)
        else:
            cols.append(pl.lit(defaults.get(name), dtype=dtype).alias(name))
    return data.select(cols)


@dataclass
class Problem:
    """Advisors and clients as numpy arrays in canonical order; `client_order` maps back to the input rows."""

    advisor_id: np.ndarray          # str, canonical order
    level: np.ndarray               # str
    level_index: np.ndarray         # int, index into LEVELS-like `levels`
    levels: tuple[str, ...]
    region: list
    specialties: list[frozenset]
    capacity: np.ndarray            # int, as given
    effective: np.ndarray           # float, capacity after ramp-up (0 when departed)
    limit: np.ndarray               # int, the most clients an advisor may hold after the move
    stretch: float                  # >1 when over_capacity='share' stretched every capacity
    active: np.ndarray              # bool
    client_id: np.ndarray           # str, canonical order
    client_order: np.ndarray        # int, input row of each canonical client
    assets: np.ndarray              # float
    dormant: np.ndarray             # bool
    tier: np.ndarray                # str
    vip: np.ndarray                 # bool
    origin: np.ndarray              # int, current advisor's canonical index, -1 none
    fit_key: np.ndarray             # int, index into fit_keys
    fit_keys: list[tuple]           # (region, style need, risk need, preference need)
    fit_cost: np.ndarray            # float (fit key x advisor): region and fit mismatch costs
    eligible: np.ndarray            # bool (2 x advisor): row 0 for other clients, row 1 for VIP clients
    unknown_advisor: np.ndarray     # bool per client: held by an advisor id not among the advisors
    given_advisor: np.ndarray       # str or None per client: the advisor id as given
    client_region: np.ndarray       # str or None per client

    @property
    def n_clients(self) -> int:
        return len(self.client_id)

    @property
    def n_advisors(self) -> int:
        return len(self.advisor_id)


def ramp_share(hire: date | None, as_of: date, settings: Settings) -> float:
    """The share of capacity a new hire serves: ramp_start on the hire date, all of it after ramp_days."""
    if hire is None or settings.ramp_days <= 0:
        return 1.0
    days = (as_of - hire).days
    if days >= settings.ramp_days:
        return 1.0
    return settings.ramp_start + (1 - settings.ramp_start) * max(days, 0) / settings.ramp_days


def _need(value, table, present: frozenset) -> tuple[str, ...]:
    wanted = table.get(value) if value is not None else None
    if not wanted:
        return ()
    met = sorted(set(wanted) & present)
    return tuple(met) if met else (UNMATCHED,)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a stable hash of each client's make-up (polars' hash may change between versions)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def read_problem(clients, advisors, settings: Settings) -> Problem:
    cl = _frame(clients, CLIENT_SCHEMA, CLIENT_DEFAULTS, ("client_id", "assets"), "clients")
    ad = _frame(advisors, ADVISOR_SCHEMA, ADVISOR_DEFAULTS, ("advisor_id", "capacity"), "advisors")
    if cl["client_id"].null_count() or cl["client_id"].n_unique() != cl.height:
        raise ValueError("client ids must be present and unique")
    if ad["advisor_id"].null_count() or ad["advisor_id"].n_unique() != ad.height:
        raise ValueError("advisor ids must be present and unique")
    branches = set(cl["branch_id"].drop_nulls().unique()) | set(ad["branch_id"].drop_nulls().unique())
    if len(branches) > 1:
        raise ValueError(f"allocate one branch at a time, not {sorted(branches)}")
    if cl["assets"].null_count():
        cl = cl.with_columns(pl.col("assets").fill_null(0.0))
    if (ad["capacity"] < 0).any():
        raise ValueError("capacities must not be negative")
    ad = ad.with_columns(pl.col("specialties").fill_null([]))

    active = ad["active"].to_numpy()
    present_specs = frozenset(s for row, a in zip(ad["specialties"].to_list(), active, strict=True) if a for s in row)
    present_regions = {r for r, a in zip(ad["region"].to_list(), active, strict=True) if a and r is not None}

    # fit keys: what of a client's region, style, risk level and preference can tell advisors apart
    combos = cl.select("region", "style", "risk_level", "preference").unique()
    key_of = {}
    for region, style, risk, pref in combos.iter_rows():
        r = None if region is None else (region if region in present_regions else ELSEWHERE)
        key_of[(region, style, risk, pref)] = (r or "", _need(style, settings.style_specialties, present_specs),
                                               _need(risk, settings.risk_specialties, present_specs),
                                               _need(pref, settings.preference_specialties, present_specs))
    fit_keys = sorted(set(key_of.values()))
    fit_index = {k: i for i, k in enumerate(fit_keys)}
    combo_frame = pl.DataFrame([(*c, fit_index[k]) for c, k in key_of.items()],
                               schema={"region": pl.String, "style": pl.String, "risk_level": pl.String,
                                       "preference": pl.String, "fit_key": pl.Int64}, orient="row")
    cl = cl.with_row_index("_row").join(combo_frame, on=["region", "style", "risk_level", "preference"],
                                        how="left", nulls_equal=True)
    vip_tiers = list(settings.vip_tiers)
    cl = cl.with_columns(pl.col("tier").is_in(vip_tiers).fill_null(False).alias("_vip"))

    # canonical advisor order: by what they are and the make-up of their book, never by id or input order
    h = _mix(cl["fit_key"].to_numpy().astype(np.uint64) * np.uint64(4)
             + cl["_vip"].to_numpy().astype(np.uint64) * np.uint64(2) + cl["is_dormant"].to_numpy().astype(np.uint64))
    h = _mix(h ^ np.round(cl["assets"].to_numpy() * 100).astype(np.int64).view(np.uint64))
    book = (cl.with_columns(pl.Series("_h", h))
            .group_by("advisor_id").agg(pl.len().alias("n"), pl.col("assets").sum().alias("s"),
                                        pl.col("is_dormant").sum().alias("d"),
                                        (pl.col("_h") % (1 << 40)).sum().alias("h")))
    book_of = {r[0]: r[1:] for r in book.iter_rows() if r[0] is not None}
    level_rank = {lv: i for i, lv in enumerate(LEVELS)}

    def advisor_key(row):
        return (level_rank.get(row["level"], len(LEVELS)), row["level"] or "", not row["active"], row["region"] or "",
                row["capacity"], tuple(sorted(row["specialties"])), row["hire_date"] or date.min,
                book_of.get(row["advisor_id"], (0, 0.0, 0, 0)), row["advisor_id"])

    rows = sorted(ad.iter_rows(named=True), key=advisor_key)
    ids = np.array([r["advisor_id"] for r in rows], dtype=object)
    levels = tuple(sorted({r["level"] for r in rows}, key=lambda lv: (level_rank.get(lv, len(LEVELS)), lv)))
    as_of = settings.as_of or date.today()
    active = np.array([r["active"] for r in rows], dtype=bool)
    capacity = np.array([r["capacity"] for r in rows], dtype=np.int64)
    effective = np.array([r["capacity"] * ramp_share(r["hire_date"], as_of, settings) for r in rows]) * active

    origin_frame = pl.DataFrame({"advisor_id": list(ids), "_origin": np.arange(len(ids))},
                                schema={"advisor_id": pl.String, "_origin": pl.Int64})
    cl = cl.join(origin_frame, on="advisor_id", how="left")
    unknown = (cl["_origin"].is_null() & cl["advisor_id"].is_not_null()).to_numpy()
    cl = cl.with_columns(pl.col("_origin").fill_null(-1)).sort(["_origin", "fit_key", "_vip", "is_dormant",
                                                                  "assets", "client_id"])
    unknown = unknown[cl["_row"].to_numpy()]

    region = [r["region"] for r in rows]
    specs = [frozenset(r["specialties"]) for r in rows]
    fit_cost = np.zeros((len(fit_keys), len(ids)))
    for f, (reg, style_need, risk_need, pref_need) in enumerate(fit_keys):
        for a in range(len(ids)):
            c = 0.0
            if reg and region[a] is not None and reg != region[a]:
                c += settings.region_cost
            for need, weight in ((style_need, settings.style_cost), (risk_need, settings.risk_cost),
                                 (pref_need, settings.preference_cost)):
                if need and specs[a].isdisjoint(need):
                    c += weight
            fit_cost[f, a] = c
    level_arr = np.array([r["level"] for r in rows], dtype=object)
    vip_ok = np.isin(level_arr, list(settings.vip_levels))
    eligible = np.vstack([active, active & vip_ok])

    n = cl.height
    total = effective.sum()
    stretch = 1.0
    if n > total + 1e-9 and settings.over_capacity == "share" and total > 0:
        stretch = n / total
    limit = np.floor(effective * stretch + 1e-9).astype(np.int64)
    if stretch > 1:
        # rounding down may leave a few seats short: give them to the advisors with the largest remainders
        short = n - int(limit.sum())
        if short > 0:
            rem = effective * stretch - limit
            limit[np.argsort(-rem, kind="stable")[:short]] += 1
    return Problem(
        advisor_id=ids, level=level_arr, level_index=np.array([levels.index(x) for x in level_arr], dtype=np.int64),
        levels=levels, region=region, specialties=specs, capacity=capacity, effective=effective, limit=limit,
        stretch=stretch, active=active, client_id=cl["client_id"].to_numpy().astype(object),
        client_order=cl["_row"].to_numpy().astype(np.int64), assets=cl["assets"].to_numpy().astype(np.float64),
        dormant=cl["is_dormant"].to_numpy().astype(bool), tier=cl["tier"].to_numpy().astype(object),
        vip=cl["_vip"].to_numpy().astype(bool), origin=cl["_origin"].to_numpy().astype(np.int64),
        fit_key=cl["fit_key"].to_numpy().astype(np.int64), fit_keys=fit_keys, fit_cost=fit_cost, eligible=eligible,
        unknown_advisor=unknown, given_advisor=cl["advisor_id"].to_numpy().astype(object),
        client_region=cl["region"].to_numpy().astype(object))

