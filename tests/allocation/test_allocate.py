"""The allocation engine on small hand-written branches: the rules hold, nothing moves without a reason."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from panhuo.allocation import Advisor, Client, InfeasibleAllocation, Settings, allocate, greedy_allocate

AS_OF = date(2026, 10, 30)
S = Settings(as_of=AS_OF)


def book(result) -> dict[str, str]:
    return dict(zip(result.assignments["client_id"], result.assignments["advisor_id"], strict=True))


def figures(result, advisor_id: str) -> dict:
    return result.advisors.filter(pl.col("advisor_id") == advisor_id).to_dicts()[0]


def reasons(result, client_id: str) -> list[str]:
    row = result.assignments.filter(pl.col("client_id") == client_id).to_dicts()[0]
    return [r["code"] for r in row["reasons"]]


def even_branch():
    """Two juniors and two seniors, each with an even book, nobody unassigned."""
    advisors = [Advisor("J1", "junior", 10, "海淀区", ("价值投资",)), Advisor("J2", "junior", 10, "朝阳区", ("期权",)),
                Advisor("S1", "senior", 10, "海淀区", ("基金配置",)), Advisor("S2", "senior", 10, "朝阳区", ("两融业务",))]
    clients = []
    for a in advisors:
        for i in range(6):
            vip = a.level == "senior" and i < 2
            clients.append(Client(f"{a.advisor_id}-{i}", assets=(500_000 if vip else 20_000) + 1000 * i,
                                  tier="vip" if vip else "mass", is_dormant=i % 3 == 0, advisor_id=a.advisor_id,
                                  region="海淀区" if i % 2 else "朝阳区", style="long_term", risk_level="C3"))
    return clients, advisors


def test_a_balanced_branch_moves_nobody():
    clients, advisors = even_branch()
    result = allocate(clients, advisors, S)
    assert result.moved == 0 and result.placed == 0
    assert book(result) == {c.client_id: c.advisor_id for c in clients}
    assert result.objective == 0 and result.bound <= 0 + 1e-9
    assert set(reasons(result, "J1-0")) == {"kept"}


def test_unassigned_clients_are_placed_and_departed_advisors_emptied():
    clients, advisors = even_branch()
    advisors.append(Advisor("X1", "senior", 10, "海淀区", active=False))
    clients += [Client(f"D{i}", 30_000, advisor_id="X1", region="海淀区") for i in range(4)]
    clients += [Client(f"U{i}", 25_000, region="朝阳区", is_dormant=i == 0) for i in range(4)]
    result = allocate(clients, advisors, S)
    after = book(result)
    assert all(after[f"D{i}"] != "X1" for i in range(4))
    assert figures(result, "X1")["clients"] == 0 and figures(result, "X1")["clients_before"] == 4
    assert all(after[f"U{i}"] in {"J1", "J2", "S1", "S2"} for i in range(4))
    assert "advisor_departed" in reasons(result, "D0")
    assert "unassigned" in reasons(result, "U0")
    assert result.placed == 8
    row = result.assignments.filter(pl.col("client_id") == "D0").to_dicts()[0]
    assert row["from"] == "X1" and row["moved"]


def test_capacity_is_respected_and_overload_moves_with_a_reason():
    clients, advisors = even_branch()
    # J1 is handed 6 more clients than its capacity allows
    clients += [Client(f"O{i}", 15_000 + i, advisor_id="J1", region="海淀区") for i in range(8)]
    advisors.append(Advisor("J3", "junior", 14, "海淀区", ("价值投资",)))
    result = allocate(clients, advisors, S)
    for row in result.advisors.filter(pl.col("active")).iter_rows(named=True):
        assert row["clients"] <= row["limit"]
    moved_off_j1 = result.assignments.filter((pl.col("from") == "J1") & pl.col("moved"))
    assert moved_off_j1.height >= 4
    codes = {r["code"] for rs in moved_off_j1["reasons"] for r in rs}
    assert "over_capacity" in codes


def test_vip_clients_only_with_senior_or_principal_advisors():
    clients, advisors = even_branch()
    clients += [Client(f"V{i}", 900_000 + i, tier="vip", advisor_id="J2", region="朝阳区") for i in range(2)]
    clients += [Client("V9", 800_000, tier="vip", region="朝阳区")]
    advisors.append(Advisor("P1", "principal", 12, "朝阳区", ("期权",)))
    result = allocate(clients, advisors, S)
    level = dict(zip(result.advisors["advisor_id"], result.advisors["level"], strict=True))
    for row in result.assignments.filter(pl.col("tier") == "vip").iter_rows(named=True):
        assert level[row["advisor_id"]] in {"senior", "principal"}
    assert "vip_rule" in reasons(result, "V0")
    assert "vip_senior" in reasons(result, "V0")


def test_fairness_band_holds_within_each_level():
    clients, advisors = even_branch()
    # S1 holds far more assets than S2: the band forces some of it over
    clients += [Client(f"W{i}", 2_000_000 + 10_000 * i, tier="vip", advisor_id="S1", region="海淀区") for i in range(4)]
    clients += [Client(f"M{i}", 20_000, advisor_id="S2", region="朝阳区") for i in range(4)]
    settings = Settings(as_of=AS_OF, band=0.25)
    result = allocate(clients, advisors, settings)
    assert result.band_met and result.band_before["senior"]["assets"] > 0.25
    # assets within ±25% of the level's mean per unit of capacity; counts within that or one whole client
    assert all(measures["assets"] <= 0.25 + 1e-9 for measures in result.band.values())
    for row in result.advisors.filter(pl.col("active")).iter_rows(named=True):
        peers = result.advisors.filter(pl.col("active") & (pl.col("level") == row["level"]))
        for m in ("clients", "dormant"):
            mean = peers[m].sum() * row["effective_capacity"] / peers["effective_capacity"].sum()
            assert abs(row[m] - mean) <= max(0.25 * mean, 1) + 1e-9
    assert result.bound <= result.objective + 1e-6
    moved = result.assignments.filter(pl.col("moved"))
    assert any(r["code"] == "band_assets" for rs in moved["reasons"] for r in rs)


def test_new_hires_serve_part_of_their_capacity():
    advisors = [Advisor("J1", "junior", 10, hire_date=date(2026, 10, 1)), Advisor("J2", "junior", 10)]
    clients = [Client(f"C{i}", 10_000 + i) for i in range(15)]
    result = allocate(clients, advisors, Settings(as_of=AS_OF, ramp_days=180, ramp_start=0.5, band=0.5))
    new = figures(result, "J1")
    assert new["effective_capacity"] == pytest.approx(10 * (0.5 + 0.5 * 29 / 180), abs=0.01)
    assert new["clients"] <= new["limit"] == 5


def test_too_little_capacity_is_refused_naming_the_rule():
    advisors = [Advisor("J1", "junior", 3), Advisor("J2", "junior", 3)]
    clients = [Client(f"C{i}", 1000) for i in range(7)]
    with pytest.raises(InfeasibleAllocation) as err:
        allocate(clients, advisors, S)
    assert err.value.constraint == "capacity"
    assert err.value.figures == {"clients": 7, "capacity": 6}
    assert "7 clients exceed" in str(err.value)


def test_overload_can_be_shared_in_proportion_instead():
    advisors = [Advisor("J1", "junior", 3), Advisor("J2", "junior", 6)]
    clients = [Client(f"C{i}", 1000 + i) for i in range(18)]
    result = allocate(clients, advisors, Settings(as_of=AS_OF, over_capacity="share"))
    assert result.stretch == pytest.approx(2.0)
    assert {figures(result, "J1")["clients"], figures(result, "J2")["clients"]} == {6, 12}


def test_too_few_seniors_for_the_vips_is_refused():
    advisors = [Advisor("J1", "junior", 10), Advisor("S1", "senior", 1)]
    clients = [Client(f"V{i}", 1_000_000, tier="vip") for i in range(2)]
    with pytest.raises(InfeasibleAllocation) as err:
        allocate(clients, advisors, S)
    assert err.value.constraint == "vip_rule"


def test_a_band_no_allocation_can_meet_is_named():
    # one client holds more than the band lets any senior hold
    advisors = [Advisor("S1", "senior", 10), Advisor("S2", "senior", 10)]
    clients = [Client("WHALE", 50_000_000, tier="vip", advisor_id="S1")]
    clients += [Client(f"C{i}", 10_000, advisor_id="S2" if i % 2 else "S1") for i in range(10)]
    with pytest.raises(InfeasibleAllocation) as err:
        allocate(clients, advisors, S)
    assert err.value.constraint == "band_assets"
    assert "senior" in str(err.value)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="band"):
        Settings(band=1.5)
    with pytest.raises(ValueError, match="over_capacity"):
        Settings(over_capacity="squeeze")


def test_tables_and_text_specialties_are_read_like_dataclasses():
    clients, advisors = even_branch()
    cl = pl.DataFrame([c.__dict__ for c in clients])
    ad = pl.DataFrame([{**a.__dict__, "specialties": "、".join(a.specialties)} for a in advisors])
    assert book(allocate(cl, ad, S)) == book(allocate(clients, advisors, S))


def test_greedy_peer_places_with_the_least_loaded_advisor_of_the_region():
    advisors = [Advisor("A", "junior", 10, "海淀区"), Advisor("B", "junior", 10, "海淀区"),
                Advisor("C", "junior", 10, "朝阳区")]
    clients = [Client(f"A{i}", 1000, advisor_id="A", region="海淀区") for i in range(3)]
    clients += [Client("N1", 1000, region="海淀区"), Client("N2", 1000, region="海淀区")]
    result = greedy_allocate(clients, advisors, S)
    assert book(result)["N1"] == "B" and book(result)["N2"] == "B"


def test_the_preview_is_plain_json_with_figures_after_the_move():
    import json

    clients, advisors = even_branch()
    clients.append(Client("U1", 25_000, region="朝阳区"))
    data = json.loads(json.dumps(allocate(clients, advisors, S).to_dict(), ensure_ascii=False))
    assert {"objective", "bound", "advisors", "assignments"} <= set(data)
    assert {"advisor_id", "level", "capacity", "active", "clients", "assets", "dormant"} <= set(data["advisors"][0])
    (row,) = data["assignments"]                    # only the client whose advisor changes
    assert row["client_id"] == "U1" and row["from"] is None and row["moved"]
    assert {"tier", "assets", "is_dormant", "reasons"} <= set(row)


def test_an_empty_branch_is_an_empty_allocation():
    result = allocate([], [Advisor("J1", "junior", 10)], S)
    assert result.assignments.height == 0 and result.objective == 0
