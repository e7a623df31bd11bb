"""The month's figures (analytics.kpis) equal an independent recomputation, in pandas, from the simulator's own
tables: the raw trades (not the warehouse's client_days aggregate), daily assets, transfers and a few contacts."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from panhuo.analytics.kpis import DEFAULT_CADENCE, FIGURE_NAMES, Month, kpis_month
from tests.analytics.simbranch import simulated_branch

MIN_DAYS, MIN_ASSETS, BAND = 180, 1000.0, 0.02   # segments.toml: [dormancy], [profit]


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    from panhuo.warehouse import open_warehouse

    out = tmp_path_factory.mktemp("sim")
    with open_warehouse(out / "warehouse.duckdb") as wh:
        as_of = simulated_branch(out / "sim", wh, clients=600, years=1.5, seed=11)
        month = Month.parse(f"{as_of:%Y-%m}").previous()
        clients = pd.read_parquet(out / "sim" / "clients.parquet")
        rng = np.random.default_rng(3)
        picked = rng.choice(clients["client_id"].to_numpy(), 150, replace=False)
        contacts = pd.DataFrame({
            "contact_id": np.arange(len(picked)), "client_id": picked,
            "contact_time": [datetime.combine(month.end, datetime.min.time()) + timedelta(hours=10)
                             - timedelta(days=int(d)) for d in rng.integers(0, 120, len(picked))],
            "channel": "phone", "outcome": "reached", "advisor_id": None, "by_staff": rng.random(len(picked)) < 0.9})
        wh.con.register("c_df", pa.Table.from_pandas(contacts))
        wh.con.execute("INSERT INTO contacts BY NAME SELECT * FROM c_df")
        rows = kpis_month(wh.con, month=month.label)
        yield month, rows, {n: pd.read_parquet(out / "sim" / f"{n}.parquet")
                            for n in ("clients", "trades", "daily_assets", "transfers")}, contacts, wh


def recompute(month: Month, t: dict, contacts: pd.DataFrame) -> pd.DataFrame:
    """Per client, by hand: the rules of docs/kpis.md."""
    s, e, b = (pd.Timestamp(d) for d in (month.start, month.end, month.before))
    c = t["clients"].copy()
    c["open_date"] = pd.to_datetime(c["open_date"])
    c = c[c["open_date"].isna() | (c["open_date"] <= e)].set_index("client_id")
    tr = t["trades"].assign(trade_date=lambda x: pd.to_datetime(x["trade_date"]))
    da = t["daily_assets"].assign(date=lambda x: pd.to_datetime(x["date"])).sort_values("date")
    tf = t["transfers"].assign(day=lambda x: pd.to_datetime(x["transfer_time"]).dt.normalize())

    def assets_at(d):
        return da[da["date"] <= d].groupby("client_id")["total_assets"].last()

    def last_trade(d):
        return tr[tr["trade_date"] <= d].groupby("client_id")["trade_date"].max()

    in_month = tr[(tr["trade_date"] >= s) & (tr["trade_date"] <= e)]
    c["a_start"], c["a_end"] = assets_at(b), assets_at(e)
    c["a_avg"] = da[(da["date"] >= s) & (da["date"] <= e)].groupby("client_id")["total_assets"].mean()
    c["lt_start"], c["lt_end"] = last_trade(b), last_trade(e)
    c["trades"] = in_month.groupby("client_id").size()
    c["turnover"] = in_month.groupby("client_id")["amount"].sum()
    c["commission"] = in_month.groupby("client_id")["commission"].sum()
    m_tf = tf[(tf["day"] >= s) & (tf["day"] <= e)]
    c["t_in"] = m_tf[m_tf["direction"] == "in"].groupby("client_id")["amount"].sum()
    c["t_out"] = m_tf[m_tf["direction"] == "out"].groupby("client_id")["amount"].sum()
    c[["trades", "turnover", "commission", "t_in", "t_out"]] = \
        c[["trades", "turnover", "commission", "t_in", "t_out"]].fillna(0)

    def dormant(last, assets, on):
        days = (on - last).dt.days.fillna((on - c["open_date"]).dt.days).fillna(100000)
        return (days >= MIN_DAYS) & (assets.fillna(0) >= MIN_ASSETS)

    c["dormant_end"] = dormant(c["lt_end"], c["a_end"], e)
    c["dormant_start"] = dormant(c["lt_start"], c["a_start"], b) & (c["open_date"].isna() | (c["open_date"] <= b))
    c["is_new"] = (c["open_date"] >= s) & (c["open_date"] <= e)
    c["churned"] = (c["a_start"].fillna(0) >= MIN_ASSETS) & (c["a_end"].fillna(0) < MIN_ASSETS)
    ret = (c["a_end"].fillna(0) - c["a_start"] - (c["t_in"] - c["t_out"])) / c["a_start"]
    c["ret"] = ret.where(c["a_start"].fillna(0) > 0)
    # tiers over the whole store at month end: the top 20% / 50% of clients holding assets
    order = c.assign(a=c["a_end"].fillna(0)).reset_index().sort_values(["a", "client_id"], ascending=[False, True])
    n = int((order["a"] > 0).sum())
    rank = pd.Series(np.arange(1, len(order) + 1), index=order["client_id"])
    c["tier"] = np.where(c["a_end"].fillna(0) <= 0, "none", np.where(rank[c.index] <= np.ceil(0.2 * n), "vip",
                         np.where(rank[c.index] <= np.ceil(0.5 * n), "core", "mass")))
    staff = contacts[contacts["by_staff"]].assign(day=lambda x: pd.to_datetime(x["contact_time"]).dt.normalize())
    c["last_contact"] = staff[staff["day"] <= e].groupby("client_id")["day"].max()
    c["contacts"] = staff[(staff["day"] >= s) & (staff["day"] <= e)].groupby("client_id").size()
    c["contacts"] = c["contacts"].fillna(0)
    days = c["tier"].map(DEFAULT_CADENCE)
    c["within"] = c["last_contact"] > e - pd.to_timedelta(days, unit="D")
    return c


def figures(c: pd.DataFrame) -> dict:
    judged = c["ret"].notna()
    p, f, lo = (c["ret"] > BAND).sum(), (judged & c["ret"].abs().le(BAND)).sum(), (c["ret"] < -BAND).sum()
    covered = c[c["tier"].isin(["vip", "core"]) & c["advisor_id"].notna()]
    vip = c[(c["tier"] == "vip") & c["advisor_id"].notna()]
    assets = c["a_end"].fillna(0).sum()
    avg = c["a_avg"].fillna(c["a_end"]).fillna(0).sum()
    return {
        "clients_total": len(c), "clients_new": int(c["is_new"].sum()), "active_clients": int((c["trades"] > 0).sum()),
        "dormant_clients": int(c["dormant_end"].sum()),
        "reactivated_clients": int((c["dormant_start"] & (c["trades"] > 0)).sum()),
        "churned_clients": int(c["churned"].sum()), "assets_total": assets,
        "assets_in": c["t_in"].sum(), "assets_out": c["t_out"].sum(), "net_inflow": c["t_in"].sum() - c["t_out"].sum(),
        "commission": c["commission"].sum(), "trades": int(c["trades"].sum()), "turnover": c["turnover"].sum(),
        "turnover_rate": c["turnover"].sum() / avg if avg else None,
        "clients_profit": int(p), "clients_flat": int(f), "clients_loss": int(lo),
        "profit_share": p / (p + f + lo) if p + f + lo else None, "flat_share": f / (p + f + lo) if p + f + lo else None,
        "loss_share": lo / (p + f + lo) if p + f + lo else None,
        "vip_asset_share": c.loc[c["tier"] == "vip", "a_end"].sum() / assets if assets else None,
        "contacts": int(c["contacts"].sum()),
        "coverage": covered["within"].mean() if len(covered) else None,
        "vip_uncontacted": int((~vip["within"]).sum()),
        "clients_in": int(c["is_new"].sum()), "clients_out": int(c["churned"].sum()),
    }


def assert_same(got: dict, want: dict, where: str):
    assert set(FIGURE_NAMES) <= set(got)
    for k, v in want.items():
        if v is None:
            assert got[k] is None, (where, k)
        else:
            assert got[k] == pytest.approx(float(v), rel=1e-3, abs=0.01), (where, k, got[k], v)


def test_the_months_figures_equal_a_recomputation_from_the_simulators_tables(branch):
    month, rows, tables, contacts, _wh = branch
    c = recompute(month, tables, contacts)
    total = next(r for r in rows if r["advisor"] is None)
    want = figures(c)
    assert want["reactivated_clients"] > 0 and want["dormant_clients"] > 0 and want["contacts"] > 0
    assert 0 < want["coverage"] < 1
    assert_same(total, want, "branch")
    advisors = [r for r in rows if r["advisor"] is not None]
    assert {r["advisor"] for r in advisors} == set(c["advisor_id"].dropna())
    for r in advisors:
        assert_same(r, figures(c[c["advisor_id"] == r["advisor"]]), r["advisor"])



def test_a_teams_figures_are_its_members_clients_taken_together(branch):
    """Teams (advisor → team in the assignments table) get rows of their own: the same definitions applied to
    their members' clients, ratios from the team's sums; an advisor outside any team is in no team's row."""
    month, _rows, tables, contacts, wh = branch
    c = recompute(month, tables, contacts)
    advisors = sorted(c["advisor_id"].dropna().unique())
    assert len(advisors) >= 3
    teams = {a: 1 + i % 2 for i, a in enumerate(advisors[:-1])}   # the last advisor is in no team
    table = pa.table({"advisor_id": pa.array(list(teams), pa.string()),
                      "team_id": pa.array(list(teams.values()), pa.int64())})
    rows = kpis_month(wh.con, month=month.label, teams=table)
    team_rows = {r["team"]: r for r in rows if r["team"] is not None}
    assert set(team_rows) == {1, 2}
    for team, row in team_rows.items():
        members = [a for a, t in teams.items() if t == team]
        assert row["advisor"] is None
        assert_same(row, figures(c[c["advisor_id"].isin(members)]), f"team {team}")
    total = next(r for r in rows if r["advisor"] is None and r["team"] is None)
    assert_same(total, figures(c), "branch")
    assert len([r for r in rows if r["advisor"] is not None]) == len(advisors)
